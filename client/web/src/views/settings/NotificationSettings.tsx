/**
 * Settings › Notifications (issue 18 item 3): per kind of notification — assigned to you,
 * @mentioned, a deal you follow changed, reminder due — the bell, the bell and an e-mail, or off;
 * and an e-mail digest of the unread ones (off, hourly, or daily at an hour of your zone). Everyone's
 * own. Without a mail relay on the server it says so: nothing is e-mailed then.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, get, type Schemas } from '../../lib/api'
import { scoped } from '../../i18n'
import { Spinner, announce, toastError } from '../../components/ui'
import '../../components/notify.css'

type Settings = Schemas['NotificationSettingsAnswer']
type Channels = Schemas['Channels']
type Kind = keyof Channels
type Channel = NonNullable<Channels[Kind]>

const nt = scoped('notify')
const KINDS: Kind[] = ['assigned', 'mentioned', 'deal_changed', 'reminder']
const CHANNELS: Channel[] = ['in_app', 'email', 'off']
const HOURS = Array.from({ length: 24 }, (_, h) => h)

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  } catch {
    return 'UTC'
  }
}

export function NotificationSettings() {
  const [saved, setSaved] = useState<Settings | null>(null)
  const [draft, setDraft] = useState<Settings | null>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    get<Settings>('/api/me/notification-settings').then((s) => {
      setSaved(s)
      setDraft(s.digest === 'off' ? { ...s, time_zone: browserZone() } : s)
    }, toastError)
  }, [])
  if (!draft || !saved) return <Spinner label={nt('loading')} />

  const channel = (kind: Kind): Channel => draft.channels[kind] ?? 'in_app'
  const setChannel = (kind: Kind, value: Channel) => setDraft({ ...draft, channels: { ...draft.channels, [kind]: value } })
  async function save(e: Event) {
    e.preventDefault()
    setBusy(true)
    try {
      const { mail_configured: _, ...body } = draft!
      const answer = await api<Settings>('PUT', '/api/me/notification-settings', body)
      setSaved(answer)
      setDraft(answer)
      announce(nt('saved'))
    } catch (err) {
      toastError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class="stack notify-settings" data-testid="notification-settings" onSubmit={(e) => void save(e)}>
      <p>{nt('intro')}</p>
      {!draft.mail_configured && <p class="notice" data-testid="notify-no-mail">{nt('noMail')}</p>}
      <table class="notify-settings__table">
        <caption class="sr-only">{nt('whereCaption')}</caption>
        <thead>
          <tr><th scope="col">{nt('kind')}</th>{CHANNELS.map((c) => <th key={c} scope="col">{nt(`channel_${c}`)}</th>)}</tr>
        </thead>
        <tbody>
          {KINDS.map((kind) => (
            <tr key={kind}>
              <th scope="row">{nt(`kind_${kind}`)}</th>
              {CHANNELS.map((c) => (
                <td key={c} data-label={nt(`channel_${c}`)}>
                  <input type="radio" name={`channel-${kind}`} value={c} checked={channel(kind) === c}
                    aria-label={`${nt(`kind_${kind}`)}: ${nt(`channel_${c}`)}`} data-testid={`channel-${kind}-${c}`}
                    onChange={() => setChannel(kind, c)} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <fieldset class="field">
        <legend class="field__label">{nt('digest')}</legend>
        <div class="row wrap">
          {(['off', 'hourly', 'daily'] as const).map((d) => (
            <label key={d} class="radio"><input type="radio" name="digest" value={d} checked={draft.digest === d}
              data-testid={`digest-${d}`} onChange={() => setDraft({ ...draft, digest: d })} />{nt(`digest_${d}`)}</label>
          ))}
        </div>
        <span class="field__hint">{nt('digestHint')}</span>
      </fieldset>
      {draft.digest === 'daily' && (
        <div class="row wrap">
          <label class="field"><span class="field__label">{nt('hour')}</span>
            <select value={String(draft.digest_hour ?? 8)} data-testid="digest-hour"
              onChange={(e) => setDraft({ ...draft, digest_hour: Number((e.target as HTMLSelectElement).value) })}>
              {HOURS.map((h) => <option key={h} value={String(h)}>{`${String(h).padStart(2, '0')}:00`}</option>)}
            </select></label>
          <label class="field grow"><span class="field__label">{nt('zone')}</span>
            <input value={draft.time_zone ?? 'UTC'} onInput={(e) => setDraft({ ...draft, time_zone: (e.target as HTMLInputElement).value })} /></label>
        </div>
      )}
      <div class="row">
        <button class="btn btn--primary" type="submit" disabled={busy} data-testid="notify-save">{nt('save')}</button>
      </div>
    </form>
  )
}
