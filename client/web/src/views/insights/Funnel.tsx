/**
 * The funnel: per stage of each pipeline, how many deals entered it in the period, moved on, were
 * lost there, the drop-off to the next stage, the median days in it and how many open deals are
 * stuck past its rotting days. A bar or a count opens those deals.
 */
import type { WidgetProps } from './Dashboard'
import { BarChart } from './BarChart'
import { CsvLink, Pending, csvUrl, figure, insightsUrl, it, ratio, useFigure } from './common'
import type { Funnel, FunnelStage } from './types'

export function FunnelWidget({ ws, filters, onDrill }: WidgetProps) {
  const state = useFigure<Funnel>(insightsUrl(ws, 'funnel', filters))
  const stages = state.data?.stages ?? []
  const name = it('widget_funnel')
  const drill = (s: FunnelStage, which: 'entered' | 'advanced' | 'lost' | 'stuck') => onDrill({
    title: `${s.stage_name}: ${it(which)}`,
    params: { figure: which === 'lost' ? 'lost_from_stage' : which, stage: s.stage },
  })
  const boards = new Set(stages.map((s) => s.board))
  const label = (s: FunnelStage) => (boards.size > 1 ? `${s.board_name} · ${s.stage_name}` : s.stage_name)
  return (
    <>
      <Pending state={state} />
      {state.data && (stages.every((s) => s.entered === 0 && s.stuck === 0) ? <p class="muted insights-empty">{it('funnelEmpty')}</p> : (
        <>
          <BarChart testId="chart-funnel" horizontal label={it('chartOf', { name })} labels={stages.map(label)}
            height={Math.max(160, stages.length * 34 + 50)}
            series={[{ label: it('entered'), values: stages.map((s) => s.entered) }]}
            onPick={(index) => drill(stages[index], 'entered')} />
          <div class="table-wrap">
            <table class="table insights-table" data-testid="funnel-table">
              <thead><tr>
                <th scope="col">{it('stage')}</th><th scope="col" class="num">{it('entered')}</th>
                <th scope="col" class="num">{it('advanced')}</th><th scope="col" class="num">{it('lost')}</th>
                <th scope="col" class="num">{it('dropOff')}</th><th scope="col" class="num">{it('medianDays')}</th>
                <th scope="col" class="num" title={it('stuckHint')}>{it('stuck')}</th>
              </tr></thead>
              <tbody>
                {stages.map((s) => (
                  <tr key={`${s.board}:${s.stage}`}>
                    <th scope="row">{label(s)}</th>
                    <td class="num"><Count value={s.entered} what={`${s.stage_name}: ${it('entered')}`} onClick={() => drill(s, 'entered')} /></td>
                    <td class="num">{s.advanced === null ? it('none') : <Count value={s.advanced} what={`${s.stage_name}: ${it('advanced')}`} onClick={() => drill(s, 'advanced')} />}</td>
                    <td class="num">{s.lost === null ? it('none') : <Count value={s.lost} what={`${s.stage_name}: ${it('lost')}`} onClick={() => drill(s, 'lost')} />}</td>
                    <td class="num">{ratio(s.drop_off)}</td>
                    <td class="num">{figure(s.median_days)}</td>
                    <td class="num">{s.kind === 'open' ? <Count value={s.stuck} what={`${s.stage_name}: ${it('stuck')}`} onClick={() => drill(s, 'stuck')} /> : it('none')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <CsvLink href={csvUrl(ws, 'funnel', filters)} name={name} />
        </>
      ))}
    </>
  )
}

/** A count that opens the deals behind it (a plain number when there are none). */
export function Count({ value, what, onClick }: { value: number; what: string; onClick: () => void }) {
  if (!value) return <span>{figure(value, 0)}</span>
  return <button class="link-btn" onClick={onClick} aria-label={it('showDeals', { what: `${what} (${figure(value, 0)})` })}>{figure(value, 0)}</button>
}
