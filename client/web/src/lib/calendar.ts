/**
 * Activities in time (issue 18, docs/calendar.md): wall-clock times in an IANA zone to and from the
 * UTC instants the board document stores, with the browser's own Intl (no date library), and the
 * edits of an activity's times (one Yjs transaction each, live for everyone).
 */
import * as Y from 'yjs'

export const DEFAULT_REMINDERS = [1440, 15]
export const REMINDER_CHOICES = [10080, 1440, 60, 15, 0]

export function browserZone(): string {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' } catch { return 'UTC' }
}

export function zones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] }
  try { return intl.supportedValuesOf?.('timeZone') ?? [browserZone()] } catch { return [browserZone()] }
}

const formats = new Map<string, Intl.DateTimeFormat>()
function parts(instant: Date, zone: string): Record<string, number> {
  let format = formats.get(zone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    formats.set(zone, format)
  }
  const out: Record<string, number> = {}
  for (const p of format.formatToParts(instant)) if (p.type !== 'literal') out[p.type] = Number(p.value)
  return out
}

/** Minutes the zone is ahead of UTC at `instant`. */
function offset(instant: Date, zone: string): number {
  const p = parts(instant, zone)
  return (Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second) - instant.getTime()) / 60000
}

const pad = (n: number) => String(n).padStart(2, '0')

/** `2026-03-29` + `10:00` on the wall clock of `zone` as an ISO UTC instant (`toISOString`). */
export function wallToIso(day: string, time: string, zone: string): string {
  const [y, m, d] = day.split('-').map(Number)
  const [hh, mm] = time.split(':').map(Number)
  const guess = Date.UTC(y, m - 1, d, hh, mm)
  let at = guess - offset(new Date(guess), zone) * 60000
  at = guess - offset(new Date(at), zone) * 60000 // a second pass settles a DST switch between
  return new Date(at).toISOString()
}

/** The wall-clock day and time of an ISO instant in `zone`. */
export function isoToWall(iso: string, zone: string): { day: string; time: string } {
  const p = parts(new Date(iso), zone)
  return { day: `${p.year}-${pad(p.month)}-${pad(p.day)}`, time: `${pad(p.hour % 24)}:${pad(p.minute)}` }
}

/** Add `days` to a `YYYY-MM-DD` day. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number)
  const at = new Date(Date.UTC(y, m - 1, d + days))
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`
}

/** Monday of the week of `day`. */
export function weekStart(day: string): string {
  const [y, m, d] = day.split('-').map(Number)
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7
  return addDays(day, -weekday)
}

export function minutesBetween(startIso: string, endIso: string): number {
  return Math.round((new Date(endIso).getTime() - new Date(startIso).getTime()) / 60000)
}

export function addMinutes(iso: string, minutes: number): string {
  return new Date(new Date(iso).getTime() + minutes * 60000).toISOString()
}

/** An open activity past its time: a timed one from its start, a date-only one from the next day. */
export function isOverdue(a: { done: boolean; due: string }, nowIso = new Date().toISOString()): boolean {
  if (a.done || !a.due) return false
  return a.due.length > 10 ? a.due < nowIso : a.due < isoToWall(nowIso, browserZone()).day
}

/** Set (or with '' / null remove) fields of an activity, in one transaction. */
export function setActivityFields(doc: Y.Doc, id: string, values: Record<string, unknown>): void {
  const m = doc.getMap<Y.Map<unknown>>('activities').get(id)
  if (!m) return
  doc.transact(() => {
    for (const [key, value] of Object.entries(values)) {
      if (value === '' || value === null || value === undefined) m.delete(key)
      else m.set(key, value)
    }
  })
}

/** Move a timed activity by `minutes` (its end moves with it); an all-day one by whole days. */
export function moveActivity(doc: Y.Doc, id: string, due: string, end: string, minutes: number): void {
  if (due.length === 10) return setActivityFields(doc, id, { due: addDays(due, Math.round(minutes / 1440)) })
  setActivityFields(doc, id, { due: addMinutes(due, minutes), end: end ? addMinutes(end, minutes) : null })
}
