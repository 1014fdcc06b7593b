/**
 * The time editor of one activity (issue 18): day, start and end time (or all day), its time zone,
 * where (a place or a video link), how a call or meeting went, and its reminders. Native inputs, so
 * every field is keyboard usable; each change is one edit of the board document, live for everyone.
 */
import type * as Y from 'yjs'
import type { Activity } from '../lib/board'
import {
  DEFAULT_REMINDERS, REMINDER_CHOICES, addMinutes, browserZone, isoToWall, minutesBetween, setActivityFields, wallToIso, zones,
} from '../lib/calendar'
import { LiveInput, LiveTextarea } from './inputs'
import { t } from '../i18n'
import { toastError } from './ui'
import './activity-times.css'

const DURATIONS = [15, 30, 45, 60, 90, 120, 180, 240]
/** The repeats offered (RRULE values, as the server and iCalendar read them); others show as they are. */
const REPEATS = {
  '': 'repeatNever', 'FREQ=DAILY': 'repeatDaily', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR': 'repeatWeekdays',
  'FREQ=WEEKLY': 'repeatWeekly', 'FREQ=WEEKLY;INTERVAL=2': 'repeatFortnightly', 'FREQ=MONTHLY': 'repeatMonthly',
} as const

type Ends = { kind: 'never' } | { kind: 'count'; count: number } | { kind: 'until'; day: string }

/** A rule split into how it repeats and how it ends (COUNT: after N times, UNTIL: the last local day). */
export function splitRule(rule: string): { base: string; ends: Ends } {
  const parts = rule ? rule.split(';') : []
  const base = parts.filter((p) => !/^(COUNT|UNTIL)=/.test(p)).join(';')
  const count = parts.find((p) => p.startsWith('COUNT='))
  const until = parts.find((p) => p.startsWith('UNTIL='))?.slice(6)
  if (count) return { base, ends: { kind: 'count', count: Number(count.slice(6)) } }
  if (until && /^\d{8}$/.test(until)) return { base, ends: { kind: 'until', day: `${until.slice(0, 4)}-${until.slice(4, 6)}-${until.slice(6)}` } }
  return { base, ends: { kind: 'never' } }
}

/** The rule of ``base`` ending as ``ends`` (nothing when it does not repeat). */
export function joinRule(base: string, ends: Ends): string {
  if (!base) return ''
  if (ends.kind === 'count') return `${base};COUNT=${Math.min(999, Math.max(1, Math.round(ends.count) || 1))}`
  if (ends.kind === 'until') return `${base};UNTIL=${ends.day.split('-').join('')}`
  return base
}

export function ActivityTimes({ doc, activity: a, writable }: { doc: Y.Doc; activity: Activity; writable: boolean }) {
  const zone = a.timeZone || browserZone()
  const timed = a.due.length > 10
  const wall = timed ? isoToWall(a.due, zone) : { day: a.due, time: '' }
  const length = timed && a.end ? minutesBetween(a.due, a.end) : 0
  const reminders = a.reminders ?? (timed && !a.allDay ? DEFAULT_REMINDERS : [])
  const set = (values: Record<string, unknown>) => {
    try { setActivityFields(doc, a.id, values) } catch (e) { toastError(e) }
  }
  const setWhen = (day: string, time: string, minutes = length) => {
    if (!day) return set({ due: null, end: null })
    if (!time) return set({ due: day, end: null, allDay: null })
    const due = wallToIso(day, time, zone)
    set({ due, end: minutes > 0 ? addMinutes(due, minutes) : null, timeZone: zone })
  }
  const id = (name: string) => `act-${a.id}-${name}`
  const { base, ends } = splitRule(a.recurrence)
  return (
    <fieldset class="activity-times" disabled={!writable}>
      <legend class="sr-only">{t('calendar.when', { title: a.title })}</legend>
      <label class="field field--inline" for={id('day')}><span class="field__label">{t('calendar.day')}</span>
        <input id={id('day')} type="date" value={wall.day} onChange={(e) => setWhen((e.target as HTMLInputElement).value, wall.time)} /></label>
      <label class="field field--inline" for={id('time')}><span class="field__label">{t('calendar.start')}</span>
        <input id={id('time')} type="time" step={900} value={wall.time}
          onChange={(e) => setWhen(wall.day || new Date().toISOString().slice(0, 10), (e.target as HTMLInputElement).value, length || 30)} /></label>
      <label class="field field--inline" for={id('length')}><span class="field__label">{t('calendar.duration')}</span>
        <select id={id('length')} value={String(length)} disabled={!timed || !writable}
          onChange={(e) => setWhen(wall.day, wall.time, Number((e.target as HTMLSelectElement).value))}>
          <option value="0">{t('calendar.noEnd')}</option>
          {[...new Set([...DURATIONS, length].filter((m) => m > 0))].sort((x, y) => x - y).map((m) => (
            <option key={m} value={String(m)}>{m < 60 ? t('calendar.minutes', { count: m }) : t('calendar.hours', { count: Math.round(m / 6) / 10 })}</option>
          ))}
        </select></label>
      <label class="field field--inline" for={id('zone')}><span class="field__label">{t('calendar.zone')}</span>
        <input id={id('zone')} list="tz-list" value={zone} disabled={!timed || !writable}
          onChange={(e) => {
            const next = (e.target as HTMLInputElement).value
            if (!zones().includes(next)) return toastError(new Error(t('calendar.unknownZone', { zone: next })))
            // the same wall-clock time in the new zone
            const due = wallToIso(wall.day, wall.time, next)
            set({ timeZone: next, due, end: length > 0 ? addMinutes(due, length) : null })
          }} /></label>
      <div class="field field--wide"><label class="field__label" for={id('location')}>{t('calendar.location')}</label>
        <LiveInput id={id('location')} value={a.location} placeholder={t('calendar.locationHint')} readOnly={!writable}
          onCommit={(v: string) => set({ location: v.trim() })} /></div>
      {(a.type === 'call' || a.type === 'meeting') && (
        <div class="field field--wide"><label class="field__label" for={id('outcome')}>{t('calendar.outcome')}</label>
          <LiveTextarea id={id('outcome')} rows={2} value={a.outcome} readOnly={!writable} onCommit={(v: string) => set({ outcome: v.trim() })} /></div>
      )}
      <label class="field field--inline" for={id('repeat')}><span class="field__label">{t('calendar.repeat')}</span>
        <select id={id('repeat')} value={base} disabled={!a.due || !writable} onChange={(e) => set({ recurrence: joinRule((e.target as HTMLSelectElement).value, ends) })}>
          {Object.entries(REPEATS).map(([rule, key]) => <option key={rule} value={rule}>{t(`calendar.${key}`)}</option>)}
          {base && !(base in REPEATS) && <option value={base}>{base}</option>}
        </select></label>
      {base && <SeriesEnd id={id} ends={ends} firstDay={wall.day} writable={writable} onChange={(next) => set({ recurrence: joinRule(base, next) })} />}
      <div class="activity-times__reminders" role="group" aria-label={t('calendar.reminders')}>
        <span class="field__label">{t('calendar.reminders')}</span>
        {REMINDER_CHOICES.map((m) => (
          <label key={m} class="check"><input type="checkbox" checked={reminders.includes(m)}
            onChange={(e) => {
              const on = (e.target as HTMLInputElement).checked
              set({ reminders: on ? [...reminders, m].sort((x, y) => y - x) : reminders.filter((r) => r !== m) })
            }} />{t(`calendar.before_${m}` as 'calendar.before_0')}</label>
        ))}
      </div>
    </fieldset>
  )
}

/** How a series ends: never, after a number of times (1 to 999), or on a last day after its first. */
function SeriesEnd({ id, ends, firstDay, writable, onChange }: {
  id: (name: string) => string; ends: Ends; firstDay: string; writable: boolean; onChange: (ends: Ends) => void
}) {
  const dayAfter = firstDay ? new Date(Date.parse(`${firstDay}T12:00:00Z`) + 86400000).toISOString().slice(0, 10) : ''
  const pick = (kind: string) => onChange(kind === 'count' ? { kind: 'count', count: 10 }
    : kind === 'until' ? { kind: 'until', day: new Date(Date.parse(`${firstDay}T12:00:00Z`) + 28 * 86400000).toISOString().slice(0, 10) }
      : { kind: 'never' })
  return (
    <div class="activity-times__ends" data-testid="series-end">
      <label class="field field--inline" for={id('ends')}><span class="field__label">{t('calendar.ends')}</span>
        <select id={id('ends')} value={ends.kind} disabled={!writable} onChange={(e) => pick((e.target as HTMLSelectElement).value)}>
          <option value="never">{t('calendar.endsNever')}</option>
          <option value="count">{t('calendar.endsAfter')}</option>
          <option value="until">{t('calendar.endsUntil')}</option>
        </select></label>
      {ends.kind === 'count' && (
        <label class="field field--inline" for={id('count')}><span class="field__label">{t('calendar.endsCount')}</span>
          <input id={id('count')} type="number" min={1} max={999} step={1} value={ends.count} disabled={!writable}
            onChange={(e) => {
              const n = Number((e.target as HTMLInputElement).value)
              if (Number.isInteger(n) && n >= 1 && n <= 999) onChange({ kind: 'count', count: n })
            }} /></label>
      )}
      {ends.kind === 'until' && (
        <label class="field field--inline" for={id('until')}><span class="field__label">{t('calendar.endsUntilDay')}</span>
          <input id={id('until')} type="date" min={dayAfter} value={ends.day} disabled={!writable}
            onChange={(e) => {
              const day = (e.target as HTMLInputElement).value
              if (day && day > firstDay) onChange({ kind: 'until', day })
            }} /></label>
      )}
    </div>
  )
}

/** The one `<datalist>` of every zone (about 600) the zone inputs of a list share: render it once. */
export function ZoneList() {
  return <datalist id="tz-list">{zones().map((z) => <option key={z} value={z} />)}</datalist>
}
