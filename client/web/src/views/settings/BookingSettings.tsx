/**
 * Settings › Booking (issue 18 item 6): your public booking link — its address (`/book/<slug>`,
 * unique on this server), meeting lengths, buffers, minimum notice, how far ahead, working hours per
 * weekday in your time zone, and the board a booked meeting goes to (as an activity without a deal).
 * Everyone's own. Says plainly when this server mails no confirmations. Optionally round robin over
 * one of the workspace's teams (each booking goes to a free member, the fairest first) and approval
 * (bookings wait, listed at the top, until you confirm or decline them).
 */
import { useEffect, useState } from 'preact/hooks'
import { api, get, type Schemas } from '../../lib/api'
import { boards, workspaceId } from '../../lib/session'
import { scoped } from '../../i18n'
import { Spinner, announce, toastError } from '../../components/ui'
import { BookingRequests } from './BookingRequests'
import '../booking/booking.css'

const bt = scoped('booking')
type Link = Schemas['BookingLink']
/** team and approval came with migration 0037 (round robin, host approval). */
type Settings = Schemas['BookingSettings'] & { team?: string | null; approval?: boolean }
type Team = { id: string; name: string }
const LENGTHS = [15, 30, 45, 60, 90]
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const

function fresh(board: string): Settings {
  const work = [['09:00', '17:00']]
  return {
    board, slug: '', enabled: true, time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone, durations: [30],
    buffer_before: 0, buffer_after: 10, min_notice: 240, window_days: 30,
    hours: [work, work, work, work, work, [], []], team: null, approval: false,
  }
}

export function BookingSettings() {
  const [link, setLink] = useState<Link | null>(null)
  const [draft, setDraft] = useState<Settings | null>(null)
  const [error, setError] = useState('')
  const [teams, setTeams] = useState<Team[]>([])
  const pipelines = boards.value.filter((b) => !b.archived_at)
  useEffect(() => {
    get<Link>('/api/me/booking').then((l) => { setLink(l); setDraft(l.settings ?? fresh(pipelines[0]?.id ?? '')) }, toastError)
    if (workspaceId.value) get<Team[]>(`/api/workspaces/${workspaceId.value}/teams`).then(setTeams, () => setTeams([]))
  }, [])
  if (!link || !draft) return <Spinner label={bt('loading')} />
  const set = (changes: Partial<Settings>) => setDraft({ ...draft, ...changes })
  // the boards arrive with the workspace; until one is chosen, meetings go to the first
  const board = pipelines.some((b) => b.id === draft.board) ? draft.board : pipelines[0]?.id ?? ''
  const url = link.settings ? `${location.origin}/book/${link.settings.slug}` : null

  async function save(event: Event) {
    event.preventDefault()
    setError('')
    try {
      const saved = await api<Link>('PUT', '/api/me/booking', { ...draft, board })
      setLink(saved)
      setDraft(saved.settings!)
      announce(bt('saved'))
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }

  const number = (name: 'buffer_before' | 'buffer_after' | 'min_notice' | 'window_days', label: string) => (
    <label class="field"><span class="field__label">{label}</span>
      <input type="number" min={name === 'window_days' ? 1 : 0} value={draft[name]}
        onInput={(e) => set({ [name]: Number((e.target as HTMLInputElement).value) })} /></label>
  )

  return (
    <form class="stack" data-testid="booking-settings" onSubmit={(e) => void save(e)}>
      <BookingRequests />
      <p>{bt('intro')}</p>
      {!link.mail_configured && <p class="notice" role="note">{bt('noMail')}</p>}
      {url && (
        <p>{bt('yourLink')} <a href={url} target="_blank" rel="noopener" data-testid="booking-url">{url}</a></p>
      )}
      <label class="row"><input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: (e.target as HTMLInputElement).checked })} />
        {bt('enabled')}</label>
      <label class="field"><span class="field__label">{bt('slug')}</span>
        <input name="slug" required pattern="[a-z0-9][a-z0-9\-]{2,39}" value={draft.slug} aria-describedby="slug-hint"
          onInput={(e) => set({ slug: (e.target as HTMLInputElement).value.toLowerCase() })} />
        <span id="slug-hint" class="field__hint">{bt('slugHint')}</span></label>
      <label class="field"><span class="field__label">{bt('board')}</span>
        <select value={board} onChange={(e) => set({ board: (e.target as HTMLSelectElement).value })}>
          {pipelines.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
        </select>
        <span class="field__hint">{bt('boardHint')}</span></label>
      <label class="field"><span class="field__label">{bt('hosts')}</span>
        <select value={draft.team ?? ''} data-testid="booking-team"
          onChange={(e) => set({ team: (e.target as HTMLSelectElement).value || null })}>
          <option value="">{bt('justMe')}</option>
          {teams.map((team) => <option key={team.id} value={team.id}>{bt('roundRobin', { team: team.name })}</option>)}
        </select>
        <span class="field__hint">{bt('hostsHint')}</span></label>
      <label class="row"><input type="checkbox" checked={!!draft.approval} data-testid="booking-approval"
        onChange={(e) => set({ approval: (e.target as HTMLInputElement).checked })} />
        {bt('approval')}</label>
      <label class="field"><span class="field__label">{bt('zone')}</span>
        <input value={draft.time_zone} required onInput={(e) => set({ time_zone: (e.target as HTMLInputElement).value })} /></label>
      <fieldset class="field">
        <legend class="field__label">{bt('durations')}</legend>
        <div class="row row--wrap">
          {LENGTHS.map((d) => (
            <label key={d} class="row"><input type="checkbox" checked={draft.durations.includes(d)}
              onChange={(e) => set({ durations: (e.target as HTMLInputElement).checked ? [...draft.durations, d].sort((a, b) => a - b) : draft.durations.filter((x) => x !== d) })} />
              {bt('minutes', { count: d })}</label>
          ))}
        </div>
      </fieldset>
      <div class="booking-settings__numbers">
        {number('buffer_before', bt('bufferBefore'))}
        {number('buffer_after', bt('bufferAfter'))}
        {number('min_notice', bt('minNotice'))}
        {number('window_days', bt('window'))}
      </div>
      <fieldset class="field">
        <legend class="field__label">{bt('hours')}</legend>
        <div class="booking-hours">
          {WEEKDAYS.map((day, i) => {
            const span = draft.hours[i][0]
            const change = (next: string[][]) => set({ hours: draft.hours.map((h, j) => (j === i ? next : h)) })
            return (
              <div key={day} class="booking-hours__day">
                <label class="row"><input type="checkbox" checked={!!span} onChange={(e) => change((e.target as HTMLInputElement).checked ? [['09:00', '17:00']] : [])} />
                  {bt(`day.${day}`)}</label>
                {span ? (
                  <>
                    <input type="time" aria-label={bt('from', { day: bt(`day.${day}`) })} value={span[0]} onInput={(e) => change([[(e.target as HTMLInputElement).value, span[1]]])} />
                    <input type="time" aria-label={bt('until', { day: bt(`day.${day}`) })} value={span[1]} onInput={(e) => change([[span[0], (e.target as HTMLInputElement).value]])} />
                  </>
                ) : <span class="muted">{bt('off')}</span>}
              </div>
            )
          })}
        </div>
      </fieldset>
      {error && <p class="form-error" role="alert">{error}</p>}
      <div class="row"><button class="btn btn--primary">{bt('save')}</button></div>
    </form>
  )
}
