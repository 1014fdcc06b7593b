/**
 * Rep performance in the period, by name: won, lost, win rate and its trend against the previous
 * period of the same length, the average won deal, days to close, touches (activities done) and
 * e-mails per won deal. A bar or a count opens that rep's won or lost deals. "Compare reps" opens
 * the comparison (Compare.tsx): why one rep outperforms another.
 */
import { useState } from 'preact/hooks'
import { ct } from '../../i18n/repCompare'
import { CompareDialog } from './Compare'
import { Icon } from '../../components/ui'
import { number, percent } from '../../lib/format'
import type { WidgetProps } from './Dashboard'
import { BarChart, COLOURS } from './BarChart'
import { CsvLink, Pending, amounts, csvUrl, figure, insightsUrl, it, ratio, useFigure } from './common'
import { Count } from './Funnel'
import type { Rep, Reps } from './types'

/** The win rate's change against the previous period, in percentage points, as an arrow and words. */
function Trend({ rep }: { rep: Rep }) {
  const now = rep.win_rate
  const before = rep.previous.win_rate
  if (now === null || before === null) return <span class="muted">{it('none')}</span>
  const points = Math.round((now - before) * 1000) / 10
  if (points === 0) return <span class="insights-trend" title={it('trendSame')}>= <span class="sr-only">{it('trendSame')}</span></span>
  const words = it(points > 0 ? 'trendUp' : 'trendDown', { value: percent(Math.abs(points)) })
  return (
    <span class={`insights-trend insights-trend--${points > 0 ? 'up' : 'down'}`} title={words}>
      <span aria-hidden="true">{points > 0 ? '▲' : '▼'} {number(Math.abs(points), 1)}</span>
      <span class="sr-only">{words}</span>
    </span>
  )
}

export function RepsWidget({ ws, filters, onDrill }: WidgetProps) {
  const state = useFigure<Reps>(insightsUrl(ws, 'reps', filters))
  const [comparing, setComparing] = useState(false)
  const reps = state.data?.reps ?? []
  const name = it('widget_reps')
  const who = (r: Rep) => r.owner_name ?? it('noOwner')
  const drill = (r: Rep, which: 'won' | 'lost') => r.owner && onDrill({
    title: `${who(r)}: ${it(which)}`,
    params: { figure: which, owner: r.owner },
  })
  return (
    <>
      <Pending state={state} />
      {state.data && (reps.length === 0 ? <p class="muted insights-empty">{it('repsEmpty')}</p> : (
        <>
          <BarChart testId="chart-reps" label={it('chartOf', { name })} labels={reps.map(who)}
            height={Math.max(180, reps.length * 28 + 80)} horizontal
            series={[{ label: it('won'), values: reps.map((r) => r.won), colour: COLOURS[2] },
              { label: it('lost'), values: reps.map((r) => r.lost), colour: '#dc2626' }]}
            onPick={(index, series) => drill(reps[index], series === 0 ? 'won' : 'lost')} />
          <div class="table-wrap">
            <table class="table insights-table" data-testid="reps-table">
              <thead><tr>
                <th scope="col">{it('rep')}</th><th scope="col" class="num">{it('won')}</th>
                <th scope="col" class="num">{it('lost')}</th><th scope="col" class="num">{it('winRate')}</th>
                <th scope="col" class="num">{it('trend')}</th><th scope="col" class="num">{it('averageWon')}</th>
                <th scope="col" class="num">{it('cycle')}</th><th scope="col" class="num">{it('touches')}</th>
                <th scope="col" class="num">{it('emails')}</th>
              </tr></thead>
              <tbody>
                {reps.map((r) => (
                  <tr key={r.owner ?? 'none'}>
                    <th scope="row">{who(r)}</th>
                    <td class="num"><Count value={r.won} what={`${who(r)}: ${it('won')}`} onClick={() => drill(r, 'won')} /></td>
                    <td class="num"><Count value={r.lost} what={`${who(r)}: ${it('lost')}`} onClick={() => drill(r, 'lost')} /></td>
                    <td class="num">{ratio(r.win_rate)}</td>
                    <td class="num"><Trend rep={r} /></td>
                    <td class="num">{amounts(r.average_won)}</td>
                    <td class="num">{figure(r.median_cycle_days)}</td>
                    <td class="num">{figure(r.touches_per_won)}</td>
                    <td class="num">{figure(r.emails_per_won)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="insights-toolbar">
            <button class="btn btn--small" onClick={() => setComparing(true)} data-testid="reps-compare">
              <Icon name="people" size={15} />{ct('compare')}
            </button>
            <CsvLink href={csvUrl(ws, 'reps', filters)} name={name} />
          </div>
          {comparing && (
            <CompareDialog ws={ws} filters={filters} onDrill={onDrill} onClose={() => setComparing(false)}
              candidates={reps.filter((r) => r.owner).map((r) => ({ owner: r.owner!, name: who(r) }))} />
          )}
        </>
      ))}
    </>
  )
}
