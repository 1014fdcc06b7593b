/**
 * Settings › Calendar sync (issue 18 item 5): your one CalDAV calendar, synced both ways with your
 * activities. Connect it with its address, your user name and an app password (the server is asked
 * first; a refusal is shown in its words), pick the board events made in the calendar land on; then
 * see what you can trust — when the last sync succeeded, what it moved, the last error in words —
 * refreshed while the page is open; "Sync now" and "Disconnect". Everyone's own.
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../../lib/api'
import { boards } from '../../lib/session'
import { dateTime, relative } from '../../lib/format'
import { Empty, Icon, Spinner, announce, toastError } from '../../components/ui'
import { scoped } from '../../i18n'
import './mailbox.css'

const ct = scoped('caldav')
const PATH = '/api/me/calendar-sync'
const REFRESH_MS = 3000

interface Status {
  connected: boolean
  url?: string | null
  username?: string | null
  board?: string | null
  last_attempt?: string | null
  last_success?: string | null
  last_error?: string | null
  pushed?: number
  pulled?: number
  removed?: number
  linked?: number
  full_listing?: boolean
}

export function CalendarSyncSettings() {
  const [status, setStatus] = useState<Status | null>(null)
  async function load() {
    try {
      setStatus(await api<Status>('GET', PATH))
    } catch (e) {
      toastError(e)
    }
  }
  useEffect(() => {
    void load()
    const timer = setInterval(() => { if (document.visibilityState === 'visible') void load() }, REFRESH_MS)
    return () => clearInterval(timer)
  }, [])
  if (!status) return <Spinner label={ct('loading')} />
  return (
    <div class="stack mailboxes" data-testid="calendar-sync">
      <p class="settings__help">{ct('intro')}</p>
      {status.connected ? <Connected status={status} reload={load} /> : (
        <>
          <Empty title={ct('emptyTitle')}>{ct('emptyBody')}</Empty>
          <ConnectForm reload={load} />
        </>
      )}
    </div>
  )
}

function Connected({ status, reload }: { status: Status; reload: () => Promise<void> }) {
  const board = boards.value.find((b) => b.id === status.board)
  const failing = !!status.last_error
  const state = !status.last_success && !failing ? 'waiting' : failing ? 'failing' : 'ok'
  async function run(action: () => Promise<unknown>, done: string) {
    try {
      await action()
      announce(done)
      await reload()
    } catch (e) {
      toastError(e)
    }
  }
  return (
    <div class="mailboxes__item" data-testid="calendar-sync-status">
      <div class="mailboxes__head">
        <strong class="mailboxes__address"><Icon name="meeting" size={16} aria-hidden="true" /> {status.url}</strong>
        <span class={`tag ${state === 'ok' ? 'tag--won' : state === 'failing' ? 'tag--lost' : 'tag--quiet'}`}
          data-testid="calendar-sync-state">{ct(`state_${state}`)}</span>
      </div>
      <p class="muted small">{ct('account', { user: status.username ?? '', board: board?.name ?? '—' })}</p>
      <p class="small" data-testid="calendar-sync-facts">
        {status.last_success
          ? <time dateTime={status.last_success} title={dateTime(status.last_success)}>{ct('lastSuccess', { when: relative(status.last_success) })}</time>
          : ct('neverSynced')}
        {status.last_success && <>{' · '}{ct('counts', { pushed: status.pushed ?? 0, pulled: status.pulled ?? 0, removed: status.removed ?? 0 })}
          {' · '}{ct('linked', { count: status.linked ?? 0 })}</>}
      </p>
      {status.last_error && <p class="notice mailboxes__error" role="alert" data-testid="calendar-sync-error">
        {ct('lastError', { error: status.last_error })}</p>}
      <div class="row row--wrap">
        <button type="button" class="btn btn--small btn--primary" onClick={() => void run(() => api('POST', `${PATH}/sync`), ct('syncAsked'))}>
          {ct('syncNow')}</button>
        <button type="button" class="btn btn--small btn--danger" onClick={() => {
          if (confirm(ct('confirmDisconnect'))) void run(() => api('DELETE', PATH), ct('disconnected'))
        }}>{ct('disconnect')}</button>
      </div>
      <p class="muted small">{ct('rules')}</p>
    </div>
  )
}

function ConnectForm({ reload }: { reload: () => Promise<void> }) {
  const editable = boards.value.filter((b) => !b.archived_at)
  const [form, setForm] = useState({ url: '', username: '', password: '', board: editable[0]?.id ?? '' })
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const board = editable.some((b) => b.id === form.board) ? form.board : editable[0]?.id ?? ''
  async function connect(event: Event) {
    event.preventDefault()
    setError('')
    setBusy(true)
    try {
      await api('PUT', PATH, { ...form, board })
      announce(ct('connected'))
      await reload()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  const set = (name: 'url' | 'username' | 'password') => (e: Event) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value })
  return (
    <form class="mailboxes__form" data-testid="calendar-sync-form" onSubmit={(e) => void connect(e)}>
      <label class="field"><span class="field__label">{ct('url')}</span>
        <input name="caldav-url" type="url" required spellcheck={false} value={form.url} onInput={set('url')}
          placeholder="https://dav.example.com/calendars/me/work/" />
        <span class="field__hint">{ct('urlHint')}</span></label>
      <label class="field"><span class="field__label">{ct('username')}</span>
        <input name="caldav-username" required spellcheck={false} autocomplete="off" value={form.username} onInput={set('username')} /></label>
      <label class="field"><span class="field__label">{ct('password')}</span>
        <input name="caldav-password" type="password" required autocomplete="new-password" value={form.password} onInput={set('password')} />
        <span class="field__hint">{ct('passwordHint')}</span></label>
      <label class="field"><span class="field__label">{ct('board')}</span>
        <select value={board} onChange={(e) => setForm({ ...form, board: (e.target as HTMLSelectElement).value })}>
          {editable.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
        </select>
        <span class="field__hint">{ct('boardHint')}</span></label>
      {error && <p class="form-error" role="alert" data-testid="calendar-sync-refused">{error}</p>}
      <div class="row"><button class="btn btn--primary" disabled={busy}>{busy ? ct('connecting') : ct('connect')}</button></div>
    </form>
  )
}
