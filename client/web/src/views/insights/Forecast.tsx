/**
 * The forecast by month or quarter of expected close: open deals weighted by their probability,
 * best case, commit, and what was won in each period. A bar opens the deals behind it: the open
 * ones expected to close then, or the won ones.
 */
import { useState } from 'preact/hooks'
import { currencySettings } from '../../lib/money'
import { money } from '../../lib/format'
import { intlLocale } from '../../i18n'
import type { WidgetProps } from './Dashboard'
import { BarChart, COLOURS } from './BarChart'
import { CsvLink, Pending, amounts, chartCurrency, csvUrl, insightsUrl, it, useFigure } from './common'
import type { Forecast, ForecastPeriod } from './types'
import { ForecastChanges } from './ForecastChanges'

type Interval = 'month' | 'quarter'

/** The first and last day of the month or quarter starting on `start` (YYYY-MM-DD). */
export function periodRange(start: string, interval: Interval): { from: string; to: string } {
  const [year, month] = start.split('-').map(Number)
  const last = new Date(Date.UTC(year, month - 1 + (interval === 'month' ? 1 : 3), 0))
  return { from: start, to: last.toISOString().slice(0, 10) }
}

/** "Mar 2027" / "März 2027", or "Q1 2027" (as both languages write quarters). */
function periodName(p: ForecastPeriod, interval: Interval): string {
  const [year, month] = p.period.split('-').map(Number)
  if (interval === 'quarter') return `Q${Math.floor((month - 1) / 3) + 1} ${year}`
  return new Intl.DateTimeFormat(intlLocale(), { month: 'short', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(year, month - 1, 1)))
}

export function ForecastWidget({ ws, filters, onDrill }: WidgetProps) {
  const [interval, setInterval] = useState<Interval>('month')
  const state = useFigure<Forecast>(insightsUrl(ws, 'forecast', filters, { period: interval }))
  const periods = state.data?.periods ?? []
  const currency = chartCurrency(periods.flatMap((p) => [p.weighted, p.best_case, p.commit, p.closed_won]),
    state.data?.currency ?? currencySettings.value?.currency ?? 'EUR')
  const name = it('widget_forecast')
  const series = [
    { key: 'weighted', label: it('weighted'), colour: COLOURS[0] },
    { key: 'best_case', label: it('bestCase'), colour: COLOURS[1] },
    { key: 'commit', label: it('commit'), colour: COLOURS[3] },
    { key: 'closed_won', label: it('closedWon'), colour: COLOURS[2] },
  ] as const
  const drill = (p: ForecastPeriod, which: 'open' | 'won') => onDrill({
    title: `${periodName(p, interval)}: ${which === 'won' ? it('closedWon') : it('weighted')}`,
    params: { figure: which, ...periodRange(p.period, interval) },
  })
  const empty = periods.every((p) => p.open_deals === 0 && p.won_deals === 0)
  return (
    <>
      <div class="insights-toolbar" role="group" aria-label={it('forecastBy')}>
        {(['month', 'quarter'] as const).map((i) => (
          <button key={i} class={`btn btn--small btn--ghost${interval === i ? ' is-on' : ''}`} aria-pressed={interval === i}
            onClick={() => setInterval(i)} data-testid={`forecast-${i}`}>{i === 'month' ? it('byMonth') : it('byQuarter')}</button>
        ))}
      </div>
      <Pending state={state} />
      {state.data && (empty ? <p class="muted insights-empty">{it('forecastEmpty')}</p> : (
        <>
          <BarChart testId="chart-forecast" label={it('chartOf', { name })} labels={periods.map((p) => periodName(p, interval))}
            format={(v) => money(v, currency, true)}
            series={series.map((s) => ({ label: `${s.label} (${currency})`, colour: s.colour, values: periods.map((p) => p[s.key][currency] ?? 0) }))}
            onPick={(index, which) => drill(periods[index], series[which].key === 'closed_won' ? 'won' : 'open')} />
          <p class="muted small">{it('forecastHint')}</p>
          <div class="table-wrap">
            <table class="table insights-table" data-testid="forecast-table">
              <thead><tr>
                <th scope="col">{interval === 'month' ? it('month') : it('quarter')}</th>
                <th scope="col" class="num">{it('deals')}</th>
                <th scope="col" class="num">{it('weighted')}</th><th scope="col" class="num">{it('bestCase')}</th>
                <th scope="col" class="num">{it('commit')}</th><th scope="col" class="num">{it('closedWon')}</th>
              </tr></thead>
              <tbody>
                {periods.map((p) => (
                  <tr key={p.period}>
                    <th scope="row">{periodName(p, interval)}</th>
                    <td class="num">{p.open_deals ? (
                      <button class="link-btn" onClick={() => drill(p, 'open')}
                        aria-label={it('showDeals', { what: `${periodName(p, interval)}: ${it('weighted')}` })}>{p.open_deals}</button>
                    ) : 0}</td>
                    <td class="num">{amounts(p.weighted)}</td>
                    <td class="num">{amounts(p.best_case)}</td>
                    <td class="num">{amounts(p.commit)}</td>
                    <td class="num">{p.won_deals ? (
                      <button class="link-btn" onClick={() => drill(p, 'won')}
                        aria-label={it('showDeals', { what: `${periodName(p, interval)}: ${it('closedWon')}` })}>{amounts(p.closed_won)}</button>
                    ) : amounts(p.closed_won)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <CsvLink href={csvUrl(ws, 'forecast', filters, { period: interval })} name={name} />
        </>
      ))}
      {state.data && <ForecastChanges ws={ws} filters={filters} period={interval} />}
    </>
  )
}
