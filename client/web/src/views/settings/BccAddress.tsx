/**
 * Settings › Mailbox › BCC address (issue 17; docs/email-automations.md): the workspace's secret
 * address. A member who puts it in Bcc when writing from their own mail client gets the mail filed on
 * the contacts' timelines. Copy it; admins can replace it (the old one stops working at once).
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../../lib/api'
import { workspaceId } from '../../lib/session'
import { Icon, announce, toastError } from '../../components/ui'
import { scoped } from '../../i18n'

const bt = scoped('bcc')
type Bcc = { address: string | null; listening: boolean }

export function BccAddress() {
  const ws = workspaceId.value!
  const base = `/api/workspaces/${ws}/bcc`
  const [bcc, setBcc] = useState<Bcc | null>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    api<Bcc>('GET', base).then(setBcc, () => setFailed(true))
  }, [ws])
  async function copy() {
    if (!bcc?.address) return
    try {
      await navigator.clipboard.writeText(bcc.address)
      announce(bt('copied'))
    } catch (e) { toastError(e) }
  }
  async function regenerate() {
    if (!confirm(bt('regenerateConfirm'))) return
    try {
      setBcc(await api<Bcc>('POST', `${base}/regenerate`))
      announce(bt('regenerated'))
    } catch (e) { toastError(e) }
  }
  return (
    <section class="settings__group" aria-labelledby="bcc-title" data-testid="bcc-address">
      <h3 id="bcc-title">{bt('title')}</h3>
      <p class="muted">{bt('help')}</p>
      {failed && <p class="muted">{bt('unavailable')}</p>}
      {bcc && !bcc.address && <p class="muted" data-testid="bcc-unconfigured">{bt('notConfigured')}</p>}
      {bcc?.address && <>
        <div class="row mailboxes__bcc" style={{ flexWrap: "wrap", maxWidth: "40rem" }}>
          <input readOnly value={bcc.address} aria-label={bt("title")} data-testid="bcc-value" spellcheck={false} style={{ flex: "1 1 16rem", minWidth: 0 }}
            onFocus={(e) => (e.target as HTMLInputElement).select()} />
          <button type="button" class="btn btn--small" data-testid="bcc-copy" onClick={() => void copy()}>
            <Icon name="check" size={14} />{bt('copy')}</button>
          <button type="button" class="btn btn--small" data-testid="bcc-regenerate" onClick={() => void regenerate()}>
            {bt('regenerate')}</button>
        </div>
        {!bcc.listening && <p class="muted" data-testid="bcc-not-listening">{bt('notListening')}</p>}
      </>}
    </section>
  )
}
