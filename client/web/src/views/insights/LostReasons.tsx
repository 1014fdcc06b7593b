/**
 * Why deals were lost in the period: per reason on the workspace's list, other reasons typed in,
 * and none given; how many deals and their value. A bar or a count opens those deals.
 */
import type { WidgetProps } from './Dashboard'
import { BarChart, COLOURS } from './BarChart'
import { CsvLink, Pending, amounts, csvUrl, insightsUrl, it, ratio, useFigure } from './common'
import { Count } from './Funnel'
import type { LostReason, LostReasons } from './types'

export function LostReasonsWidget({ ws, filters, onDrill }: WidgetProps) {
  const state = useFigure<LostReasons>(insightsUrl(ws, 'lost-reasons', filters))
  const reasons = (state.data?.reasons ?? []).filter((r) => r.deals > 0)
  const total = state.data?.deals ?? 0
  const name = it('widget_lostReasons')
  const label = (r: LostReason) => (r.kind === 'listed' ? r.reason ?? '' : r.kind === 'other' ? it('otherReason') : it('noReason'))
  const drill = (r: LostReason) => onDrill({
    title: `${it('lost')}: ${label(r)}`,
    params: { figure: 'lost', reason: r.kind === 'listed' ? r.reason ?? '' : r.kind },
  })
  return (
    <>
      <Pending state={state} />
      {state.data && (reasons.length === 0 ? <p class="muted insights-empty">{it('lostEmpty')}</p> : (
        <>
          <BarChart testId="chart-lost-reasons" horizontal label={it('chartOf', { name })} labels={reasons.map(label)}
            height={Math.max(140, reasons.length * 32 + 50)}
            series={[{ label: it('deals'), values: reasons.map((r) => r.deals), colour: COLOURS[4] }]}
            onPick={(index) => drill(reasons[index])} />
          <div class="table-wrap">
            <table class="table insights-table" data-testid="lost-reasons-table">
              <thead><tr>
                <th scope="col">{it('reason')}</th><th scope="col" class="num">{it('deals')}</th>
                <th scope="col" class="num">{it('share')}</th><th scope="col" class="num">{it('value')}</th>
              </tr></thead>
              <tbody>
                {reasons.map((r) => (
                  <tr key={`${r.kind}:${r.reason}`}>
                    <th scope="row">{label(r)}</th>
                    <td class="num"><Count value={r.deals} what={`${it('lost')}: ${label(r)}`} onClick={() => drill(r)} /></td>
                    <td class="num">{ratio(total ? r.deals / total : null)}</td>
                    <td class="num">{amounts(r.value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <CsvLink href={csvUrl(ws, 'lost-reasons', filters)} name={name} />
        </>
      ))}
    </>
  )
}
