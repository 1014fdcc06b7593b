/**
 * `/w/<ws>/report`: the pipeline report, small (full dashboards come later). Per stage of each
 * pipeline: open deals, their value per currency (never added across currencies) and weighted by
 * the stage's win probability, and how many moved on; per owner, by name: open, won, lost and win
 * rate. All pipelines the user reaches at once, or one picked (`?board=`).
 */
import { useEffect, useState } from 'preact/hooks'
import { get, type Schemas } from '../lib/api'
import { navigate, queryParam } from '../lib/router'
import { boards, workspaceId } from '../lib/session'
import { money, percent } from '../lib/format'
import { gt } from '../i18n'
import { Empty, Spinner, toastError } from '../components/ui'

type Report = Schemas['PipelineReport']
type Stage = Schemas['ReportStage']

function amounts(totals: Record<string, number>): string {
  const codes = Object.keys(totals).sort()
  return codes.length ? codes.map((code) => money(totals[code], code)).join(' · ') : '—'
}

function rate(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : percent(value * 100)
}

export function ReportPage() {
  const ws = workspaceId.value!
  const board = queryParam('board')
  const [report, setReport] = useState<Report | null>(null)
  useEffect(() => {
    setReport(null)
    const query = board ? `?board=${encodeURIComponent(board)}` : ''
    get<Report>(`/api/workspaces/${ws}/pipeline-report${query}`).then(setReport, toastError)
  }, [ws, board])
  const pipelines = boards.value.filter((b) => b.kind === 'pipeline')
  const byBoard = new Map<string, Stage[]>()
  for (const stage of report?.stages ?? []) byBoard.set(stage.board, [...(byBoard.get(stage.board) ?? []), stage])

  return (
    <div class="page-narrow report-page">
      <header class="page-header">
        <div class="page-header__title"><h1>{gt('reportTitle')}</h1></div>
        <label class="field field--inline"><span class="field__label">{gt('pipeline')}</span>
          <select value={board} data-testid="report-board" onChange={(e) => {
            const value = (e.target as HTMLSelectElement).value
            navigate(`/w/${ws}/report${value ? `?board=${value}` : ''}`)
          }}>
            <option value="">{gt('allPipelines')}</option>
            {pipelines.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
          </select>
        </label>
      </header>
      <p class="muted">{gt('reportIntro')}</p>
      {report === null ? <Spinner label={gt('loading')} /> : report.boards.length === 0 ? (
        <Empty title={gt('noPipelines')} />
      ) : (
        <>
          {report.boards.map((b) => (
            <section key={b.id} class="report-section" aria-labelledby={`report-${b.id}`}>
              <h2 id={`report-${b.id}`}>{b.name}</h2>
              <div class="table-wrap">
                <table class="table report-table" data-testid="report-stages">
                  <thead><tr>
                    <th scope="col">{gt('stage')}</th><th scope="col" class="num">{gt('deals')}</th>
                    <th scope="col" class="num">{gt('value')}</th><th scope="col" class="num">{gt('weighted')}</th>
                    <th scope="col" class="num">{gt('conversion')}</th>
                  </tr></thead>
                  <tbody>
                    {(byBoard.get(b.id) ?? []).map((s) => (
                      <tr key={s.stage}>
                        <th scope="row">{s.name}{s.probability !== null && s.kind === 'open' && <span class="muted"> · {percent(s.probability)}</span>}</th>
                        <td class="num">{s.count}</td>
                        <td class="num">{amounts(s.value)}</td>
                        <td class="num">{s.kind === 'open' ? amounts(s.weighted) : '—'}</td>
                        <td class="num">{s.kind === 'open' ? rate(s.conversion) : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          ))}
          <section class="report-section" aria-labelledby="report-owners">
            <h2 id="report-owners">{gt('owners')}</h2>
            {report.owners.length === 0 ? <p class="muted">{gt('noDeals')}</p> : (
              <div class="table-wrap">
                <table class="table report-table" data-testid="report-owners">
                  <thead><tr>
                    <th scope="col">{gt('owner')}</th><th scope="col" class="num">{gt('open')}</th>
                    <th scope="col" class="num">{gt('won')}</th><th scope="col" class="num">{gt('lost')}</th>
                    <th scope="col" class="num">{gt('winRate')}</th>
                  </tr></thead>
                  <tbody>
                    {report.owners.map((o) => (
                      <tr key={o.owner ?? 'none'}>
                        <th scope="row">{o.name ?? (o.owner ? gt('someone') : gt('noOwner'))}</th>
                        <td class="num">{o.open}</td><td class="num">{o.won}</td><td class="num">{o.lost}</td>
                        <td class="num">{rate(o.win_rate)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </div>
  )
}
