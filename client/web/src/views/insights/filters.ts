/**
 * The dashboard's filters, kept in the address (`?board=&owner=&period=quarter&from=&to=&currency=`)
 * so a link shows a colleague the same figures, and turned into the insights API's query: the
 * period as dates in the browser's time zone (`tz`), so "this month" is this month where the
 * reader is. Presets are whole calendar periods; `custom` takes the two dates as given.
 */
import { queryParam } from '../../lib/router'

export type Period = 'month' | 'quarter' | 'year' | 'custom'
export const PERIODS: Period[] = ['month', 'quarter', 'year', 'custom']

export interface Filters {
  board: string
  owner: string
  /** A team: its members' deals ('' for everyone). */
  team: string
  period: Period
  from: string
  to: string
  /** Money converted into the workspace currency where rates exist (else kept per currency). */
  converted: boolean
}

const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
const DATE = /^\d{4}-\d{2}-\d{2}$/

/** The first and last day of the period `today` is in. */
export function presetRange(period: Exclude<Period, 'custom'>, today = new Date()): { from: string; to: string } {
  const year = today.getFullYear()
  const first = period === 'year' ? 0 : period === 'quarter' ? 3 * Math.floor(today.getMonth() / 3) : today.getMonth()
  const months = period === 'year' ? 12 : period === 'quarter' ? 3 : 1
  return { from: iso(new Date(year, first, 1)), to: iso(new Date(year, first + months, 0)) }
}

export function readFilters(): Filters {
  const asked = queryParam('period') as Period
  const period: Period = PERIODS.includes(asked) ? asked : 'quarter'
  const custom = { from: queryParam('from'), to: queryParam('to') }
  const range = period === 'custom' && DATE.test(custom.from) && DATE.test(custom.to) ? custom
    : presetRange(period === 'custom' ? 'quarter' : period)
  return { board: queryParam('board'), owner: queryParam('owner'), team: queryParam('team'), period, ...range, converted: queryParam('currency') !== 'each' }
}

/** The address of the dashboard showing `filters`. */
export function addressOf(ws: string, filters: Filters): string {
  const query = new URLSearchParams()
  if (filters.board) query.set('board', filters.board)
  if (filters.owner) query.set('owner', filters.owner)
  if (filters.team) query.set('team', filters.team)
  if (filters.period !== 'quarter') query.set('period', filters.period)
  if (filters.period === 'custom') {
    query.set('from', filters.from)
    query.set('to', filters.to)
  }
  if (!filters.converted) query.set('currency', 'each')
  const text = query.toString()
  return `/w/${ws}/insights${text ? `?${text}` : ''}`
}

export function timeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

/** The insights API's query for `filters` (and any extra parameters, e.g. a drill-down's). */
export function apiQuery(filters: Filters, extra: Record<string, string | null | undefined> = {}): string {
  const query = new URLSearchParams({ from: filters.from, to: filters.to, tz: timeZone() })
  if (filters.board) query.set('board', filters.board)
  if (filters.owner) query.set('owner', filters.owner)
  if (filters.team) query.set('team', filters.team)
  if (filters.converted) query.set('currency', 'converted')
  for (const [key, value] of Object.entries(extra)) {
    if (value === '') query.delete(key) // a drill-down that lifts a filter (a workspace goal: every owner)
    else if (value !== null && value !== undefined) query.set(key, value)
  }
  return query.toString()
}
