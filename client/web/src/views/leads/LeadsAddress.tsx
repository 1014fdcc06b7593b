/**
 * Settings › Lead forms › Leads by e-mail (docs/leads.md): the workspace's secret leads address.
 * Mail sent or forwarded to it becomes a lead (the sender the person, the subject the title, the
 * text the note; a reply joins its lead). Members copy it; admins replace it (the old one is
 * refused at once). New leads from mail belong to the address's owner, who is told by the bell:
 * whoever made the address, until an admin chooses another member here.
 * Viewers do not see it (the server answers 403).
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../../lib/api'
import { memberName, members, workspaceId } from '../../lib/session'
import { Icon, announce, toast, toastError } from '../../components/ui'
import { lt } from './LeadsPage'

type Address = { address: string | null; listening: boolean; owner: string | null }

export function LeadsAddress({ admin }: { admin: boolean }) {
  const ws = workspaceId.value!
  const base = `/api/workspaces/${ws}/leads/address`
  const [shown, setShown] = useState<Address | null>(null)
  useEffect(() => {
    api<Address>('GET', base).then(setShown, () => setShown(null))
  }, [ws])
  if (!shown) return null
  async function copy() {
    try {
      await navigator.clipboard.writeText(shown!.address ?? '')
      toast(lt('mail.copied'))
    } catch {
      (document.getElementById('leads-address') as HTMLInputElement | null)?.select()
    }
  }
  async function regenerate() {
    if (!confirm(lt('mail.confirmRegenerate'))) return
    try {
      setShown(await api<Address>('POST', `${base}/regenerate`))
      announce(lt('mail.regenerated'))
      toast(lt('mail.regenerated'))
    } catch (e) {
      toastError(e)
    }
  }
  async function changeOwner(owner: string) {
    try {
      setShown(await api<Address>('PUT', `${base}/owner`, { owner }))
      announce(lt('mail.ownerSaved'))
      toast(lt('mail.ownerSaved'))
    } catch (e) {
      toastError(e)
    }
  }
  return (
    <section class="lead-form card-surface" aria-labelledby="leads-address-title" data-testid="leads-address">
      <h3 id="leads-address-title">{lt('mail.title')}</h3>
      <p class="muted small">{lt('mail.help')}</p>
      {shown.address
        ? <div class="row row--wrap lead-address">
            <input id="leads-address" readOnly value={shown.address} aria-label={lt('mail.title')} spellcheck={false}
              data-testid="leads-address-value" onFocus={(e) => (e.target as HTMLInputElement).select()} />
            <button type="button" class="btn btn--small" onClick={() => void copy()}><Icon name="check" size={14} />{lt('mail.copy')}</button>
            {admin && <button type="button" class="btn btn--small" onClick={() => void regenerate()} data-testid="leads-address-regenerate">{lt('mail.regenerate')}</button>}
          </div>
        : <p class="muted" data-testid="leads-address-unconfigured">{lt('mail.noDomain')}</p>}
      {shown.address && !shown.listening && <p class="muted small">{lt('mail.notListening')}</p>}
      {admin
        ? <label class="field lead-address__owner"><span class="field__label">{lt('mail.owner')}</span>
            <select name="leads-owner" value={shown.owner ?? ''} data-testid="leads-address-owner"
              onChange={(e) => void changeOwner((e.target as HTMLSelectElement).value)}>
              {!shown.owner && <option value="">{lt('forms.nobody')}</option>}
              {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
            </select>
            <span class="muted small">{lt('mail.ownerHint')}</span>
          </label>
        : <p class="muted small" data-testid="leads-address-owner-shown">
            {lt('mail.owner')}: {shown.owner ? memberName(shown.owner) : lt('forms.nobody')}</p>}
    </section>
  )
}
