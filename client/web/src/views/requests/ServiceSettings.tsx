/**
 * Settings › Service (docs/service.md): response targets in hours per priority (the due-by of each
 * request) and which mailboxes are support mailboxes. Admins change them; others read them.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, type Schemas } from '../../lib/api'
import { workspaceId } from '../../lib/session'
import { Spinner, announce, toast, toastError } from '../../components/ui'
import { rt } from './RequestsPage'
import './requests.css'

type Settings = Schemas['ServiceSettings']
type Mailbox = Schemas['MailboxAnswer']
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const

export const serviceLabel = () => rt('settings.title')

export function ServiceSettings({ admin }: { admin: boolean }) {
  const ws = workspaceId.value!
  const [settings, setSettings] = useState<Settings | null>(null)
  const [targets, setTargets] = useState<Record<string, string>>({})
  const [mine, setMine] = useState<Mailbox[]>([])
  const [support, setSupport] = useState<Set<string>>(new Set())
  useEffect(() => {
    api<Settings>('GET', `/api/workspaces/${ws}/service-settings`).then((s) => {
      setSettings(s)
      setTargets(Object.fromEntries(Object.entries(s.targets).map(([k, v]) => [k, String(v)])))
      setSupport(new Set(s.support_mailboxes.map((m) => m.id)))
    }, toastError)
    api<Mailbox[]>('GET', `/api/workspaces/${ws}/mailboxes`).then(setMine, () => setMine([]))
  }, [ws])
  if (!settings) return <Spinner />
  const others = settings.support_mailboxes.filter((m) => !mine.some((b) => b.id === m.id))

  async function save(e: Event) {
    e.preventDefault()
    try {
      const hours = Object.fromEntries(PRIORITIES.map((p) => [p, Number(targets[p])]))
      const saved = await api<Settings>('PUT', `/api/workspaces/${ws}/service-settings`, { targets: hours, support_mailboxes: [...support] })
      setSettings(saved)
      announce(rt('settings.saved'))
      toast(rt('settings.saved'))
    } catch (err) {
      toastError(err)
    }
  }
  function toggle(id: string, on: boolean) {
    const next = new Set(support)
    if (on) next.add(id)
    else next.delete(id)
    setSupport(next)
  }
  return (
    <form class="service-settings stack" onSubmit={save} data-testid="service-settings">
      <p class="muted">{rt('settings.intro')}</p>
      <fieldset class="service-settings__targets">
        <legend>{rt('settings.targets')}</legend>
        {PRIORITIES.map((p) => (
          <label key={p} class="field service-settings__target">
            <span class="field__label">{rt(`priority.${p}`)}</span>
            <span class="row"><input type="number" min={1} max={2160} step={1} required value={targets[p] ?? ''} disabled={!admin}
              aria-label={rt('settings.hoursFor', { priority: rt(`priority.${p}`) })} data-testid={`service-target-${p}`}
              onInput={(e) => setTargets({ ...targets, [p]: (e.target as HTMLInputElement).value })} />
              <span class="muted">{rt('settings.hours')}</span></span>
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{rt('settings.mailboxes')}</legend>
        <p class="muted small">{rt('settings.mailboxesIntro')}</p>
        {mine.length === 0 && <p class="muted">{rt('settings.noMailbox')}</p>}
        {mine.map((b) => (
          <label key={b.id} class="row service-settings__mailbox">
            <input type="checkbox" checked={support.has(b.id)} disabled={!admin} onChange={(e) => toggle(b.id, (e.target as HTMLInputElement).checked)} data-testid="service-support-mailbox" />
            {rt('settings.support', { address: b.address })}
          </label>
        ))}
        {others.length > 0 && <p class="muted small">{rt('settings.others', { list: others.map((m) => m.address).join(', ') })}</p>}
      </fieldset>
      {admin ? <div><button class="btn btn--primary" data-testid="service-save">{rt('settings.save')}</button></div>
        : <p class="muted small">{rt('settings.readOnly')}</p>}
    </form>
  )
}
