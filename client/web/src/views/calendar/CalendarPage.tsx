/**
 * `/w/<ws>/calendar` (issue 18): week, day and month views of one's own and chosen colleagues'
 * activities across every board one reaches, from `GET /api/workspaces/{id}/calendar` (the SQL
 * projection), live: the projection notes `activities:<board>` in the workspace document's
 * `changes` map whenever a board's activities change, and the calendar
 * refetches then (and on focus) instead of polling. Moving an activity — dragging it to
 * another day, or Alt+arrows on a selected one (15 minutes / a day) — is an ordinary activity edit
 * (`PATCH`): the server edits the board document, so everyone with the board open sees it at once.
 * Times show on this browser's clock. Narrower than 600 px the week becomes a day-by-day agenda.
 * Cancelled occurrences of a series show faded and struck through (`cancelled=true`): their popover
 * restores them (EntryDetails.tsx).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { del, get, patch, post, query, type Schemas } from '../../lib/api'
import { me, memberName, members, workspaceId } from '../../lib/session'
import { addDays, addMinutes, browserZone, isoToWall, weekStart } from '../../lib/calendar'
import { shortDate, todayIso } from '../../lib/format'
import { t } from '../../i18n'
import { Icon, Spinner, announce, toastError } from '../../components/ui'
import './calendar.css'
import { SeriesChoice } from './SeriesChoice'
import { DetailsButton, EntryDetails } from './EntryDetails'
import { NewActivity } from '../../components/NewActivity'
import { useSyncedDoc } from '../../lib/ydocs'
import { watchChanges } from '../../lib/records'

type Entry = Schemas['CalendarEntry']
type View = 'week' | 'day' | 'month'

/** The day an entry shows on, on this browser's clock. */
const shownDay = (e: Entry) => (e.start && !e.all_day ? isoToWall(e.start, browserZone()).day : e.day)
const clock = (iso: string) => isoToWall(iso, browserZone()).time

function range(view: View, anchor: string): [string, string] {
  if (view === 'day') return [anchor, anchor]
  if (view === 'week') return [weekStart(anchor), addDays(weekStart(anchor), 6)]
  const first = weekStart(anchor.slice(0, 8) + '01')
  return [first, addDays(first, 41)]
}

function useNarrow(): boolean {
  const query = '(max-width: 600px)'
  const [narrow, setNarrow] = useState(() => window.matchMedia(query).matches)
  useEffect(() => {
    const list = window.matchMedia(query)
    const on = () => setNarrow(list.matches)
    list.addEventListener('change', on)
    return () => list.removeEventListener('change', on)
  }, [])
  return narrow
}

export function CalendarPage() {
  const [view, setView] = useState<View>('week')
  const [anchor, setAnchor] = useState(todayIso())
  const [people, setPeople] = useState<string[]>(() => [me.value!.id])
  const [entries, setEntries] = useState<Entry[] | null>(null)
  const [error, setError] = useState('')
  const [tick, setTick] = useState(0)
  const narrow = useNarrow()
  const feed = useSyncedDoc(workspaceId.value ? `workspace:${workspaceId.value}` : null) // live (issue 18)
  const shown: View = narrow && view === 'week' ? 'day' : view
  const [first, last] = range(shown, anchor)
  const load = () => get<Schemas['Calendar']>(`/api/workspaces/${workspaceId.value}/calendar${query({
    start: addDays(first, -1), end: addDays(last, 1), people: people.join(','), cancelled: 'true',
  })}`).then((r) => { setEntries(r.entries); setError('') }, (e) => setError(e instanceof Error ? e.message : String(e)))
  useEffect(() => {
    let live = true
    const run = () => { if (live) void load() }
    run()
    const timer = setInterval(() => setTick((n) => n + 1), 30_000) // the now line moves on
    window.addEventListener('focus', run)
    const stop = feed ? watchChanges(feed.doc, (keys) => { if (keys.some((k) => k.startsWith('activities:'))) run() }) : null
    return () => { live = false; clearInterval(timer); window.removeEventListener('focus', run); stop?.() }
  }, [workspaceId.value, first, last, people.join(','), feed])

  const [asking, setAsking] = useState<{ e: Entry; minutes: number } | null>(null)
  const [adding, setAdding] = useState(false) // a new activity on no deal (issue 18)
  /** Moving an occurrence of a repeating activity asks: this one only, or the whole series. */
  function move(e: Entry, minutes: number) {
    if (e.recurrence) return setAsking({ e, minutes })
    void moveSeries(e, minutes)
  }

  /** One occurrence moves out of its series: a single activity takes its place (issue 18). */
  async function moveOne(e: Entry, minutes: number) {
    const from = e.start && !e.all_day ? e.start : e.day
    const due = from.length > 10 ? addMinutes(from, minutes) : addDays(from, Math.round(minutes / 1440))
    try {
      await post(`/api/boards/${e.board}/activities/${e.id}/occurrences/${e.day}/move`, { due })
      announce(t('series.movedOne', { title: e.title }))
    } catch (err) { toastError(err) }
    void load()
  }

  async function cancelOne(e: Entry) {
    try {
      await del(`/api/boards/${e.board}/activities/${e.id}/occurrences/${e.day}`)
      announce(t('series.cancelled', { title: e.title, day: shortDate(e.day) }))
    } catch (err) { toastError(err) }
    void load()
  }

  async function moveSeries(e: Entry, minutes: number) {
    // the whole series moves by as much
    const from = e.series_due ?? (e.start && !e.all_day ? e.start : e.day)
    const due = from.length > 10 ? addMinutes(from, minutes) : addDays(from, Math.round(minutes / 1440))
    setEntries((list) => list && list.map((x) => x.id === e.id ? moved(x, due, minutes) : x))
    try {
      await patch(`/api/boards/${e.board}/activities/${e.id}`, { due })
      announce(t('calendar.moved', { title: e.title, when: due.length > 10 ? `${isoToWall(due, browserZone()).day} ${clock(due)}` : due }))
    } catch (err) { toastError(err) }
    void load()
  }

  const step = shown === 'day' ? 1 : shown === 'week' ? 7 : 0
  const go = (dir: number) => setAnchor(step ? addDays(anchor, dir * step) : shiftMonth(anchor, dir))
  const byDay = useMemo(() => {
    const out = new Map<string, Entry[]>()
    for (const e of entries ?? []) out.set(shownDay(e), [...(out.get(shownDay(e)) ?? []), e])
    return out
  }, [entries])
  const days = Array.from({ length: shown === 'day' ? 1 : shown === 'week' ? 7 : 42 }, (_, i) => addDays(first, i))

  return (
    <div class="page-wide calendar" data-testid="calendar">
      <header class="page-header calendar__header">
        <div class="page-header__title"><h1>{t('calendar.title')}</h1></div>
        <div class="calendar__controls">
          <div class="seg-group" role="group" aria-label={t('calendar.view')}>
            {(['day', 'week', 'month'] as const).map((v) => (
              <button key={v} class={`seg${shown === v ? ' is-on' : ''}`} aria-pressed={shown === v} onClick={() => setView(v)}>{t(`calendar.${v}`)}</button>
            ))}
          </div>
          <div class="calendar__nav" data-testid="calendar-nav">
            <button class="icon-btn" aria-label={t('calendar.previous')} onClick={() => go(-1)}>‹</button>
            <button class="btn" onClick={() => setAnchor(todayIso())}>{t('calendar.today')}</button>
            <button class="icon-btn" aria-label={t('calendar.next')} onClick={() => go(1)}>›</button>
            <span class="calendar__range">{first === last ? shortDate(first) : `${shortDate(first)} – ${shortDate(last)}`}</span>
          </div>
          <People chosen={people} onChange={setPeople} />
          <button class="btn" aria-expanded={adding} onClick={() => setAdding(!adding)}>{t('newActivity.open')}</button>
        </div>
      </header>
      {adding && <div class="calendar__new"><NewActivity idPrefix="calendar-activity" onAdded={() => void load()} /></div>}
      <p class="muted small">{t('calendar.moveHint')}</p>
      {error && <p class="form-error" role="alert">{error}</p>}
      {entries === null ? <Spinner label={t('calendar.loading')} /> : (
        shown !== 'month' && !narrow ? (
          <TimeGrid days={days} byDay={byDay} people={people.length > 1} onMove={move} onCancel={cancelOne} tick={tick} />
        ) : (
          <div class={`calendar__grid calendar__grid--${shown}`} role="list" data-tick={tick}>
            {days.map((day) => (
              <DayColumn key={day} day={day} entries={byDay.get(day) ?? []} compact={shown === 'month'} people={people.length > 1}
                outside={shown === 'month' && day.slice(5, 7) !== anchor.slice(5, 7)} onMove={move} onCancel={cancelOne} />
            ))}
          </div>
        )
      )}
      <EntryDetails onChanged={() => void load()} />
      {asking && <SeriesChoice entry={asking.e} onClose={() => setAsking(null)}
        onOne={() => void moveOne(asking.e, asking.minutes)} onAll={() => void moveSeries(asking.e, asking.minutes)} />}
    </div>
  )
}

function moved(e: Entry, _due: string, minutes: number): Entry {
  if (!e.start || e.all_day) return { ...e, day: addDays(e.day, Math.round(minutes / 1440)) }
  const start = addMinutes(e.start, minutes)
  return { ...e, start, end: e.end ? addMinutes(e.end, minutes) : null, day: isoToWall(start, browserZone()).day }
}

function shiftMonth(day: string, dir: number): string {
  const [y, m] = day.split('-').map(Number)
  const at = new Date(Date.UTC(y, m - 1 + dir, 1))
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}-01`
}

const HOUR = 44 // px per hour in the time grid
const MINUTE = HOUR / 60

/** Minutes since local midnight (this browser's clock) of an instant. */
function minuteOf(iso: string): number {
  const [h, m] = clock(iso).split(':').map(Number)
  return h * 60 + m
}

/** Side-by-side lanes for overlapping timed entries of one day: [entry, lane, lanes]. */
function lanes(entries: Entry[]): [Entry, number, number][] {
  const out: [Entry, number, number][] = []
  let group: [Entry, number][] = [], ends: number[] = [], groupEnd = -1
  const flush = () => { const n = ends.length; for (const [e, l] of group) out.push([e, l, n]); group = []; ends = [] }
  for (const e of entries) {
    const from = minuteOf(e.start!), to = Math.max(from + 30, e.end ? from + Math.round((Date.parse(e.end) - Date.parse(e.start!)) / 60000) : from + 30)
    if (from >= groupEnd) flush()
    let lane = ends.findIndex((end) => end <= from)
    if (lane < 0) { lane = ends.length; ends.push(to) } else ends[lane] = to
    group.push([e, lane])
    groupEnd = Math.max(groupEnd, to)
  }
  flush()
  return out
}

/** Week and day: all-day entries on top, timed ones placed on an hour grid; drop on a time to move there. */
function TimeGrid({ days, byDay, people, onMove, onCancel, tick }: {
  days: string[]; byDay: Map<string, Entry[]>; people: boolean; onMove: (e: Entry, minutes: number) => void; tick: number
  onCancel: (e: Entry) => void
}) {
  const scroller = useRef<HTMLDivElement>(null)
  useEffect(() => { scroller.current?.scrollTo({ top: 7 * HOUR }) }, [])
  const now = new Date().toISOString()
  const today = todayIso()
  const drop = (day: string) => (ev: DragEvent) => {
    ev.preventDefault()
    const raw = ev.dataTransfer?.getData('application/x-tandem-activity')
    if (!raw) return
    const { entry, from, grab } = JSON.parse(raw) as { entry: Entry; from: string; grab?: number }
    const days = Math.round((Date.parse(day) - Date.parse(from)) / 86400000)
    if (!entry.start || entry.all_day) return days && onMove(entry, days * 1440)
    const box = (ev.currentTarget as HTMLElement).getBoundingClientRect()
    const at = Math.round((ev.clientY - box.top - (grab ?? 0)) / MINUTE / 15) * 15
    const minutes = days * 1440 + Math.max(0, Math.min(at, 1440 - 15)) - minuteOf(entry.start)
    if (minutes) onMove(entry, minutes)
  }
  return (
    <div class="calendar__timegrid" style={{ '--days': days.length }} data-tick={tick}>
      <div class="calendar__tg-head" role="list">
        <span />
        {days.map((day) => {
          const all = (byDay.get(day) ?? []).filter((e) => !(e.start && !e.all_day))
          return (
            <section key={day} role="listitem" aria-label={day} data-day={day} class={`calendar__tg-day${day === today ? ' is-today' : ''}`}
              onDragOver={(ev) => ev.preventDefault()} onDrop={drop(day)}>
              <h2 class="calendar__date"><span>{weekdayOf(day)}</span> <span class={day === today ? 'calendar__today' : ''}>{Number(day.slice(8))}</span></h2>
              <ul class="calendar__entries">
                {all.map((e) => <EntryItem key={e.id + e.day} entry={e} day={day} compact={false} people={people} onMove={onMove} onCancel={onCancel} />)}
              </ul>
            </section>
          )
        })}
      </div>
      <div class="calendar__tg-body" ref={scroller}>
        <div class="calendar__tg-hours" aria-hidden="true">
          {Array.from({ length: 24 }, (_, h) => <span key={h} style={{ top: `${h * HOUR}px` }}>{String(h).padStart(2, '0')}:00</span>)}
        </div>
        {days.map((day) => {
          const timed = (byDay.get(day) ?? []).filter((e) => e.start && !e.all_day).sort((a, b) => a.start!.localeCompare(b.start!))
          return (
            <ul key={day} class={`calendar__tg-col${day === today ? ' is-today' : ''}`} aria-label={day} data-testid="calendar-column"
              onDragOver={(ev) => ev.preventDefault()} onDrop={drop(day)}>
              {lanes(timed).map(([e, lane, of]) => {
                const top = minuteOf(e.start!) * MINUTE
                const length = e.end ? (Date.parse(e.end) - Date.parse(e.start!)) / 60000 : 30
                return <EntryItem key={e.id + e.start} entry={e} day={day} compact={false} people={people} onMove={onMove} onCancel={onCancel}
                  style={{ top: `${top}px`, height: `${Math.max(length, 20) * MINUTE}px`, left: `${(lane / of) * 100}%`, width: `${100 / of}%` }} />
              })}
              {day === today && (
                <li class="calendar__now calendar__now--grid" style={{ top: `${minuteOf(now) * MINUTE}px` }} aria-label={t('calendar.now')} data-testid="now-line">
                  <span>{clock(now)}</span>
                </li>
              )}
            </ul>
          )
        })}
      </div>
    </div>
  )
}

const weekdayOf = (day: string) => new Date(`${day}T12:00:00Z`).toLocaleDateString(document.documentElement.lang || undefined, { weekday: 'short', timeZone: 'UTC' })

function DayColumn({ day, entries, compact, outside, people, onMove, onCancel }: {
  day: string; entries: Entry[]; compact: boolean; outside: boolean; people: boolean; onMove: (e: Entry, minutes: number) => void
  onCancel: (e: Entry) => void
}) {
  const today = day === todayIso()
  const [over, setOver] = useState(false)
  const now = new Date().toISOString()
  const timed = entries.filter((e) => e.start && !e.all_day).sort((a, b) => a.start!.localeCompare(b.start!))
  const allDay = entries.filter((e) => !(e.start && !e.all_day))
  const before = timed.filter((e) => e.start! < now), after = timed.filter((e) => e.start! >= now)
  const weekday = weekdayOf(day)
  return (
    <section role="listitem" aria-label={day} data-day={day}
      class={`calendar__day${today ? ' is-today' : ''}${outside ? ' is-outside' : ''}${over ? ' is-over' : ''}`}
      onDragOver={(ev) => { ev.preventDefault(); setOver(true) }} onDragLeave={() => setOver(false)}
      onDrop={(ev) => {
        ev.preventDefault(); setOver(false)
        const raw = ev.dataTransfer?.getData('application/x-tandem-activity')
        if (!raw) return
        const { entry, from } = JSON.parse(raw) as { entry: Entry; from: string }
        const days = Math.round((Date.parse(day) - Date.parse(from)) / 86400000)
        if (days) onMove(entry, days * 1440)
      }}>
      <h2 class="calendar__date"><span>{weekday}</span> <span class={today ? 'calendar__today' : ''}>{Number(day.slice(8))}</span></h2>
      <ul class="calendar__entries">
        {allDay.map((e) => <EntryItem key={e.id} entry={e} day={day} compact={compact} people={people} onMove={onMove} onCancel={onCancel} />)}
        {before.map((e) => <EntryItem key={e.id} entry={e} day={day} compact={compact} people={people} onMove={onMove} onCancel={onCancel} />)}
        {today && <li class="calendar__now" aria-label={t('calendar.now')} data-testid="now-line"><span>{clock(now)}</span></li>}
        {after.map((e) => <EntryItem key={e.id} entry={e} day={day} compact={compact} people={people} onMove={onMove} onCancel={onCancel} />)}
      </ul>
      {!compact && entries.length === 0 && <p class="calendar__empty muted small">{t('calendar.empty')}</p>}
    </section>
  )
}

function EntryItem({ entry: e, day, compact, people, onMove, onCancel, style }: {
  entry: Entry; day: string; compact: boolean; people: boolean; onMove: (e: Entry, minutes: number) => void
  onCancel: (e: Entry) => void
  style?: Record<string, string>
}) {
  const timed = !!e.start && !e.all_day
  const when = timed ? `${clock(e.start!)}${e.end ? `–${clock(e.end)}` : ''}` : t('calendar.allDay')
  const href = e.card ? `/w/${e.workspace}/boards/${e.board}/deals/${e.card}` : `/w/${e.workspace}/boards/${e.board}`
  const ghost = !!e.cancelled // a cancelled occurrence: not moved, not cancelled again; its popover restores it
  return (
    <li class={`calendar__entry calendar__entry--${e.type}${e.done ? ' is-done' : ''}${ghost ? ' is-cancelled' : ''}`} draggable={!ghost}
      data-testid={ghost ? 'calendar-cancelled' : 'calendar-entry'} style={style}
      onDragStart={(ev) => {
        if (ghost) return
        const grab = ev.clientY - (ev.currentTarget as HTMLElement).getBoundingClientRect().top // where it was held
        ev.dataTransfer?.setData('application/x-tandem-activity', JSON.stringify({ entry: e, from: day, grab }))
      }}>
      <a href={href} title={`${e.title} · ${e.board_name}${e.location ? ` · ${e.location}` : ''}`}
        onKeyDown={(ev) => {
          if (!ev.altKey || ghost) return
          const minutes = ev.key === 'ArrowUp' ? -15 : ev.key === 'ArrowDown' ? 15 : ev.key === 'ArrowLeft' ? -1440 : ev.key === 'ArrowRight' ? 1440 : 0
          if (!minutes || (!timed && Math.abs(minutes) < 1440)) return
          ev.preventDefault()
          onMove(e, minutes)
          requestAnimationFrame(() => (document.querySelector(`[data-entry="${e.id}"]`) as HTMLElement | null)?.focus())
        }} data-entry={e.id}>
        <span class="calendar__when">{when}</span>
        <span class="calendar__title"><Icon name={e.type} size={12} /> {e.title}{e.recurrence && <span title={t('calendar.repeats')} aria-label={t('calendar.repeats')}> ↻</span>}</span>
        {!compact && (e.card_title || people) && (
          <span class="calendar__meta muted">{[e.card_title, people && e.assignee ? memberName(e.assignee) : ''].filter(Boolean).join(' · ')}</span>
        )}
      </a>
      {!compact && <DetailsButton entry={e} />}
      {e.recurrence && !compact && !ghost && (
        <button type="button" class="calendar__skip" aria-label={t('series.cancel', { title: e.title, day: shortDate(e.day) })}
          title={t('series.cancel', { title: e.title, day: shortDate(e.day) })} onClick={() => onCancel(e)}>×</button>
      )}
    </li>
  )
}

function People({ chosen, onChange }: { chosen: string[]; onChange: (ids: string[]) => void }) {
  const mine = me.value!.id
  return (
    <details class="calendar__people">
      <summary class="btn">{t('calendar.people')} ({chosen.length})</summary>
      <div class="calendar__people-list" role="group" aria-label={t('calendar.people')}>
        {members.value.map((m) => (
          <label key={m.user.id} class="check">
            <input type="checkbox" checked={chosen.includes(m.user.id)} onChange={(ev) => {
              const on = (ev.target as HTMLInputElement).checked
              const next = on ? [...chosen, m.user.id] : chosen.filter((id) => id !== m.user.id)
              onChange(next.length ? next : [mine])
            }} />
            {m.user.id === mine ? t('calendar.me') : m.user.name}
          </label>
        ))}
      </div>
    </details>
  )
}
