/** What every insights widget shares: fetching its figure for the filters, money and ratios as text, the CSV link. */
import { useEffect, useState } from 'preact/hooks'
import { get } from '../../lib/api'
import { money, number, percent } from '../../lib/format'
import { scoped } from '../../i18n'
import { Icon, Spinner } from '../../components/ui'
import { apiQuery, type Filters } from './filters'
import type { Money } from './types'

export const it = scoped('insights')

export function insightsUrl(ws: string, figure: string, filters: Filters, extra: Record<string, string | null | undefined> = {}): string {
  return `/api/workspaces/${ws}/insights/${figure}?${apiQuery(filters, extra)}`
}

/** Where the CSV of a figure's table downloads from. */
export function csvUrl(ws: string, figure: string, filters: Filters, extra: Record<string, string | null | undefined> = {}): string {
  return `/api/workspaces/${ws}/insights/export/${figure}.csv?${apiQuery(filters, extra)}`
}

/** The figure's answer for these filters: undefined while loading, null after an error (shown in place). */
export function useFigure<T>(url: string, refresh = 0): { data: T | undefined | null; error: string } {
  const [state, setState] = useState<{ url: string; data: T | undefined | null; error: string }>({ url, data: undefined, error: '' })
  useEffect(() => {
    let live = true
    get<T>(url).then((data) => live && setState({ url, data, error: '' }),
      (error: Error) => live && setState({ url, data: null, error: error.message }))
    return () => { live = false }
  }, [url, refresh])
  // An answer for other filters is never shown under these (the first render after a change has only the old one)
  return state.url === url ? state : { data: undefined, error: '' }
}

/** A widget's body while its figure loads or failed; null once there is data. */
export function Pending({ state }: { state: { data: unknown; error: string } }) {
  if (state.data === undefined) return <Spinner label={it('loading')} />
  if (state.data === null) return <p class="insights-error" role="alert">{state.error}</p>
  return null
}

/** Money per currency, never added across currencies: "12.000 € · 3.000 $" (a currency at zero left out). */
export function amounts(totals: Money | null | undefined): string {
  const codes = Object.keys(totals ?? {}).filter((code) => totals![code] !== 0)
  return codes.length ? codes.map((code) => money(totals![code], code)).join(' · ') : it('none')
}

/**
 * The one currency a money chart draws: the one holding the most across `totals` (the workspace's
 * when everything converted), `fallback` when there is none. The table beside it shows every currency.
 */
export function chartCurrency(totals: (Money | null | undefined)[], fallback: string): string {
  const sums = new Map<string, number>()
  for (const t of totals) for (const [code, value] of Object.entries(t ?? {})) sums.set(code, (sums.get(code) ?? 0) + Math.abs(value))
  let best = fallback
  for (const [code, sum] of sums) if (sum > (sums.get(best) ?? 0)) best = code
  return best
}

export function ratio(value: number | null | undefined): string {
  return value === null || value === undefined ? it('none') : percent(value * 100)
}

export function figure(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? it('none') : number(value, digits)
}

export function CsvLink({ href, name }: { href: string; name: string }) {
  return (
    <a class="btn btn--small btn--ghost" href={href} download aria-label={it('exportCsvOf', { name })} data-testid="insights-csv">
      <Icon name="import" size={15} />{it('exportCsv')}
    </a>
  )
}
