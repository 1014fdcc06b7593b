/**
 * The deals behind a figure: a dialog listing them (title, owner, stage, value, expected close),
 * each opening the deal on its board. `drill.params` says which deals to the insights API's
 * `deals` query (e.g. `{figure: 'lost_from_stage', stage}`), within the dashboard's filters.
 */
import { useEffect, useRef } from 'preact/hooks'
import { money, shortDate } from '../../lib/format'
import { Icon } from '../../components/ui'
import type { Filters } from './filters'
import { CsvLink, Pending, csvUrl, insightsUrl, it, useFigure } from './common'
import type { InsightDeals } from './types'

export interface Drill {
  /** What the deals are behind, as the reader saw it ("Proposal: lost"). */
  title: string
  params: Record<string, string>
}

export function DrillDown({ ws, filters, drill, onClose }: { ws: string; filters: Filters; drill: Drill; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const state = useFigure<InsightDeals>(insightsUrl(ws, 'deals', filters, drill.params))
  useEffect(() => dialog.current?.showModal(), [])
  const deals = state.data?.deals ?? []
  return (
    <dialog ref={dialog} class="dialog insights-drill" aria-labelledby="drill-title" onClose={onClose} onCancel={onClose} data-testid="insights-drill">
      <header class="dialog__header">
        <h2 id="drill-title">{state.data ? it('drillTitle', { what: drill.title, count: state.data.total }) : drill.title}</h2>
        <button class="icon-btn" aria-label={it('close')} onClick={() => dialog.current?.close()}><Icon name="close" /></button>
      </header>
      <Pending state={state} />
      {state.data && (deals.length === 0 ? <p class="muted">{it('drillEmpty')}</p> : (
        <>
          <div class="table-wrap">
            <table class="table insights-drill__table">
              <thead><tr>
                <th scope="col">{it('deal')}</th><th scope="col">{it('owner')}</th><th scope="col">{it('stage')}</th>
                <th scope="col" class="num">{it('value')}</th><th scope="col">{it('expectedClose')}</th>
              </tr></thead>
              <tbody>
                {deals.map((d) => (
                  <tr key={d.card}>
                    <th scope="row"><a href={`/w/${ws}/boards/${d.board}/deals/${d.card}`} onClick={() => dialog.current?.close()}>{d.title}</a></th>
                    <td data-label={it('owner')}>{d.owner_name ?? it('noOwner')}</td>
                    <td data-label={it('stage')}>{d.stage_name ?? it('none')}</td>
                    <td data-label={it('value')} class="num">{d.value === null ? it('none') : money(d.value, d.currency ?? undefined)}</td>
                    <td data-label={it('expectedClose')}>{shortDate(d.expected_close) || it('none')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {state.data.total > deals.length && <p class="muted small">{it('drillLargest', { shown: deals.length, total: state.data.total })}</p>}
          <p class="insights-drill__csv"><CsvLink href={csvUrl(ws, 'deals', filters, drill.params)} name={drill.title} /></p>
        </>
      ))}
    </dialog>
  )
}
