/**
 * Settings › Mailbox (issue 17): the signed-in member's own connected mailboxes in this workspace.
 * Connect one by IMAP + SMTP (the server signs in to both before saving and answers a refusal in
 * words, shown here), see each one's sync status — last success, messages filed, the last error in
 * words — and refresh it while the page is open; choose what other members see of its mail; ask
 * for a sync now or a re-sync from a date; disconnect. Viewers cannot connect one (the API says so).
 */
import { useEffect, useState } from 'preact/hooks'
import { api, type Schemas } from '../../lib/api'
import { workspaceId } from '../../lib/session'
import { dateTime, relative, todayIso } from '../../lib/format'
import { Empty, Icon, Spinner, announce, toastError } from '../../components/ui'
import { scoped } from '../../i18n'
import { BccAddress } from './BccAddress'
import './mailbox.css'

const mt = scoped('mailboxes')
type Mailbox = Schemas['MailboxAnswer']
type Form = Schemas['NewMailboxBody']
type Tls = NonNullable<Form['imap_tls']>
type Visibility = NonNullable<Form['visibility']>
const TLS: Tls[] = ['tls', 'starttls', 'none']
const VISIBILITY: Visibility[] = ['metadata', 'subject', 'everything']
const BLANK: Required<Form> = {
  address: '', username: '', password: '', imap_host: '', imap_port: 993, imap_tls: 'tls',
  smtp_host: '', smtp_port: 465, smtp_tls: 'tls', visibility: 'metadata',
}
const REFRESH_MS = 5000

export function MailboxSettings() {
  const ws = workspaceId.value!
  const base = `/api/workspaces/${ws}/mailboxes`
  const [boxes, setBoxes] = useState<Mailbox[] | null>(null)
  async function load() {
    try {
      setBoxes(await api<Mailbox[]>('GET', base))
    } catch (e) {
      toastError(e)
    }
  }
  useEffect(() => {
    void load()
    const timer = setInterval(() => { if (document.visibilityState === 'visible') void load() }, REFRESH_MS)
    return () => clearInterval(timer)
  }, [ws])
  if (!boxes) return <Spinner />
  return (
    <div class="mailboxes" data-testid="mailbox-settings">
      <p class="muted settings__help">{mt('help')}</p>
      <section class="settings__group" aria-labelledby="mailboxes-list">
        <h3 id="mailboxes-list">{mt('yours')}</h3>
        {boxes.length === 0 ? <Empty title={mt('none')} icon="✉">{mt('noneBody')}</Empty> : (
          <ul class="mailboxes__list">{boxes.map((box) => <MailboxRow key={box.id} box={box} reload={load} />)}</ul>
        )}
      </section>
      <ConnectForm base={base} reload={load} />
      <BccAddress />
    </div>
  )
}

function MailboxRow({ box, reload }: { box: Mailbox; reload: () => Promise<void> }) {
  const [since, setSince] = useState(todayIso())
  const status = box.status
  async function run(action: () => Promise<unknown>, done: string) {
    try {
      await action()
      announce(done)
      await reload()
    } catch (e) {
      toastError(e)
    }
  }
  const path = `/api/mailboxes/${box.id}`
  return (
    <li class="mailboxes__item" data-testid="mailbox-row" data-address={box.address}>
      <div class="mailboxes__head">
        <strong class="mailboxes__address"><Icon name="email" size={16} aria-hidden="true" /> {box.address}</strong>
        <span class={`tag ${status === 'ok' ? 'tag--won' : status === 'failing' ? 'tag--lost' : 'tag--quiet'}`}
          data-testid="mailbox-status">{mt(`status_${status}`)}</span>
      </div>
      <p class="muted small" data-testid="mailbox-facts">
        {box.last_success_at
          ? <time dateTime={box.last_success_at} title={dateTime(box.last_success_at)}>{mt('lastSuccess', { when: relative(box.last_success_at) })}</time>
          : mt('neverSynced')}
        {' · '}{mt('imported', { count: box.imported })}
        {' · '}{box.imap_host}:{box.imap_port}
      </p>
      {box.last_error && <p class="notice mailboxes__error" role="alert" data-testid="mailbox-error">
        {mt('lastError', { error: box.last_error })}</p>}
      <div class="mailboxes__controls">
        <label class="field field--inline">
          <span class="field__label">{mt('visibility')}</span>
          <select value={box.visibility} data-testid="mailbox-visibility" onChange={(e) => {
            const visibility = (e.target as HTMLSelectElement).value as Visibility
            void run(() => api('PATCH', path, { visibility }), mt('visibilitySaved'))
          }}>
            {VISIBILITY.map((v) => <option key={v} value={v}>{mt(`visibility_${v}`)}</option>)}
          </select>
        </label>
        <div class="row row--wrap">
          <button type="button" class="btn btn--small" onClick={() => void run(() => api('POST', `${path}/sync`), mt('syncAsked'))}>
            {mt('syncNow')}</button>
          <label class="field field--inline">
            <span class="field__label">{mt('resyncFrom')}</span>
            <input type="date" value={since} max={todayIso()} onInput={(e) => setSince((e.target as HTMLInputElement).value)} />
          </label>
          <button type="button" class="btn btn--small" onClick={() => void run(
            () => api('POST', `${path}/resync`, { since: since || null }), mt('resyncAsked'))}>{mt('resync')}</button>
          <button type="button" class="btn btn--small btn--danger" onClick={() => {
            if (confirm(mt('confirmDisconnect', { address: box.address }))) void run(() => api('DELETE', path), mt('disconnected'))
          }}>{mt('disconnect')}</button>
        </div>
      </div>
    </li>
  )
}

function ConnectForm({ base, reload }: { base: string; reload: () => Promise<void> }) {
  const [form, setForm] = useState<Required<Form>>(BLANK)
  const [testing, setTesting] = useState(false)
  const [error, setError] = useState('')
  const set = (changes: Partial<Form>) => setForm({ ...form, ...changes } as Required<Form>)
  const text = (key: 'address' | 'username' | 'password' | 'imap_host' | 'smtp_host') =>
    (e: Event) => set({ [key]: (e.target as HTMLInputElement).value })
  async function connect(e: Event) {
    e.preventDefault()
    setTesting(true)
    setError('')
    try {
      await api('POST', base, { ...form, username: form.username || form.address })
      setForm(BLANK)
      announce(mt('connected'))
      await reload()
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
    } finally {
      setTesting(false)
    }
  }
  const server = (kind: 'imap' | 'smtp') => (
    <fieldset class="mailboxes__server">
      <legend>{mt(kind)}</legend>
      <label class="field"><span class="field__label">{mt('host')}</span>
        <input required value={form[`${kind}_host`]} onInput={text(`${kind}_host`)} placeholder={`${kind}.example.com`}
          autocomplete="off" name={`${kind}_host`} /></label>
      <label class="field mailboxes__port"><span class="field__label">{mt('port')}</span>
        <input type="number" min={1} max={65535} required value={form[`${kind}_port`]} name={`${kind}_port`}
          onInput={(e) => set({ [`${kind}_port`]: Number((e.target as HTMLInputElement).value) })} /></label>
      <label class="field"><span class="field__label">{mt('tls')}</span>
        <select value={form[`${kind}_tls`]} name={`${kind}_tls`}
          onChange={(e) => set({ [`${kind}_tls`]: (e.target as HTMLSelectElement).value as Tls })}>
          {TLS.map((tls) => <option key={tls} value={tls}>{mt(`tls_${tls}`)}</option>)}
        </select></label>
    </fieldset>
  )
  return (
    <section class="settings__group" aria-labelledby="mailboxes-connect">
      <h3 id="mailboxes-connect">{mt('connect')}</h3>
      <form class="mailboxes__form" onSubmit={(e) => void connect(e)} data-testid="mailbox-form">
        <div class="mailboxes__account">
          <label class="field"><span class="field__label">{mt('address')}</span>
            <input type="email" required value={form.address} onInput={text('address')} name="address" autocomplete="email" /></label>
          <label class="field"><span class="field__label">{mt('username')}</span>
            <input value={form.username} onInput={text('username')} placeholder={form.address} name="username" autocomplete="username" />
            <span class="field__hint">{mt('usernameHint')}</span></label>
          <label class="field"><span class="field__label">{mt('password')}</span>
            <input type="password" required value={form.password} onInput={text('password')} name="password"
              autocomplete="new-password" />
            <span class="field__hint">{mt('passwordHint')}</span></label>
        </div>
        {server('imap')}
        {server('smtp')}
        <label class="field"><span class="field__label">{mt('visibility')}</span>
          <select value={form.visibility} name="visibility"
            onChange={(e) => set({ visibility: (e.target as HTMLSelectElement).value as Visibility })}>
            {VISIBILITY.map((v) => <option key={v} value={v}>{mt(`visibility_${v}`)}</option>)}
          </select></label>
        {error && <p class="form-error" role="alert" data-testid="mailbox-connect-error">{error}</p>}
        <div class="row">
          <button class="btn btn--primary btn--small" disabled={testing}>
            <Icon name="check" size={16} />{testing ? mt('testing') : mt('connectButton')}</button>
          {testing && <Spinner label={mt('testing')} />}
        </div>
      </form>
    </section>
  )
}

/** The section's name in Settings' navigation. */
export const mailboxLabel = () => mt('title')
