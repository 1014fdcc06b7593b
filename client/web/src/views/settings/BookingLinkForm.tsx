/**
 * One booking link's form (Settings › Booking, docs/booking.md): its address (`/book/<slug>`, unique
 * on this server), title, meeting lengths, buffers, minimum notice, how far ahead, working hours per
 * weekday in a time zone, the board a booked meeting goes to (an activity without a deal) and
 * approval (bookings wait until you confirm them). A team link also names its team: each booking
 * goes to a free member, the fairest first, and a member with a personal link is offered in their
 * own hours. Saving makes the link (POST) or changes it (PUT); `onDone` gets the saved link.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, type Schemas } from '../../lib/api'
import { boards } from '../../lib/session'
import { scoped } from '../../i18n'
import { announce } from '../../components/ui'

const bt = scoped('booking')
const lt = scoped('bookingLinks')
export type Settings = Schemas['BookingSettings']
export type Team = { id: string; name: string }
const LENGTHS = [15, 30, 45, 60, 90]
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const

/** A new link's settings: weekdays 09-17 in the browser's zone, 30 minutes. */
export function fresh(board: string, team: string | null): Settings {
  const work = [['09:00', '17:00']]
  return {
    id: null, title: '', board, slug: '', enabled: true, time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    durations: [30], buffer_before: 0, buffer_after: 10, min_notice: 240, window_days: 30,
    hours: [work, work, work, work, work, [], []], team, approval: false,
  }
}

export function BookingLinkForm({ start, teams, heading, onDone, onCancel }: {
  start: Settings; teams: Team[]; heading: string; onDone: (saved: Settings) => void; onCancel: () => void
}) {
  const [draft, setDraft] = useState<Settings>(start)
  const [error, setError] = useState('')
  const slug = useRef<HTMLInputElement>(null)
  useEffect(() => { slug.current?.focus() }, [])  // opened from the list: the keyboard goes on here
  const pipelines = boards.value.filter((b) => !b.archived_at)
  const set = (changes: Partial<Settings>) => setDraft({ ...draft, ...changes })
  // the boards arrive with the workspace; until one is chosen, meetings go to the first
  const board = pipelines.some((b) => b.id === draft.board) ? draft.board : pipelines[0]?.id ?? ''
  const isTeam = draft.team !== null && draft.team !== undefined

  async function save(event: Event) {
    event.preventDefault()
    setError('')
    try {
      const body = { ...draft, board }
      const saved = draft.id
        ? await api<Settings>('PUT', `/api/me/booking/links/${draft.id}`, body)
        : await api<Settings>('POST', '/api/me/booking/links', body)
      announce(bt('saved'))
      onDone(saved)
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
    <form class="stack booking-link-form" data-testid="booking-link-form" aria-labelledby="booking-link-form-title"
      onSubmit={(e) => void save(e)}>
      <h2 id="booking-link-form-title" class="booking-links__title">{heading}</h2>
      <label class="row"><input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: (e.target as HTMLInputElement).checked })} />
        {bt('enabled')}</label>
      <label class="field"><span class="field__label">{bt('slug')}</span>
        <input ref={slug} name="slug" required pattern="[a-z0-9][a-z0-9\-]{2,39}" value={draft.slug} aria-describedby="slug-hint"
          onInput={(e) => set({ slug: (e.target as HTMLInputElement).value.toLowerCase() })} />
        <span id="slug-hint" class="field__hint">{bt('slugHint')}</span></label>
      <label class="field"><span class="field__label">{lt('linkTitle')}</span>
        <input name="title" maxLength={120} value={draft.title ?? ''} onInput={(e) => set({ title: (e.target as HTMLInputElement).value })} /></label>
      {isTeam && (
        <label class="field"><span class="field__label">{lt('team_label')}</span>
          <select value={draft.team ?? ''} required data-testid="booking-team" aria-describedby="team-hint"
            onChange={(e) => set({ team: (e.target as HTMLSelectElement).value })}>
            {teams.map((team) => <option key={team.id} value={team.id}>{team.name}</option>)}
          </select>
          <span id="team-hint" class="field__hint">{teams.length ? lt('teamHint') : lt('noTeams')}</span></label>
      )}
      <label class="field"><span class="field__label">{bt('board')}</span>
        <select value={board} onChange={(e) => set({ board: (e.target as HTMLSelectElement).value })}>
          {pipelines.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
        </select>
        <span class="field__hint">{bt('boardHint')}</span></label>
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
      <Hours draft={draft} set={set} hint={isTeam ? lt('hoursHint') : undefined} />
      {error && <p class="form-error" role="alert">{error}</p>}
      <div class="row">
        <button class="btn btn--primary">{bt('save')}</button>
        <button type="button" class="btn btn--ghost" onClick={onCancel}>{lt('cancel')}</button>
      </div>
    </form>
  )
}

function Hours({ draft, set, hint }: { draft: Settings; set: (changes: Partial<Settings>) => void; hint?: string }) {
  return (
    <fieldset class="field">
      <legend class="field__label">{bt('hours')}</legend>
      {hint && <p class="field__hint">{hint}</p>}
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
  )
}
