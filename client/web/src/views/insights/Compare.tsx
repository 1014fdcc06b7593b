/**
 * Comparing reps (docs/insights.md "Comparing reps"), opened from the rep card: pick reps, see
 * them beside the baseline (the team filtered by, or everyone) over the dashboard's filters, with
 * "What explains the difference" first — the server's ranked sentences in the reader's language —
 * and every figure below, each cell opening the deals behind it (the dashboard's drill-down).
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { locale } from '../../i18n'
import { ct } from '../../i18n/repCompare'
import { money, number, percent } from '../../lib/format'
import { Icon } from '../../components/ui'
import type { Schemas } from '../../lib/api'
import type { Drill } from './DrillDown'
import type { Filters } from './filters'
import { Pending, insightsUrl, useFigure } from './common'
import './compare.css'

type Comparison = Schemas['RepComparison']
type CompareFigure = Schemas['CompareFigure']
type Cell = Schemas['CompareCell']

export interface Candidate { owner: string; name: string }

const GROUPS: [string, CompareFigure['key'][]][] = [
  ['group_results', ['win_rate', 'average_won', 'coverage']],
  ['group_stages', ['conversion', 'median_days']],
  ['group_activity', ['per_won', 'per_open', 'first_activity_hours']],
  ['group_lost', ['lost_share']],
]

/** What a figure's row is called: "Conversion Proposal made → Negotiation", "Calls per won deal". */
export function figureName(f: CompareFigure): string {
  let of = f.of ?? ''
  if (f.key === 'per_won' || f.key === 'per_open') of = ct(`activity_${f.of}` as 'activity_calls')
  if (f.key === 'lost_share') of = f.of === null ? ct('reasonNone') : f.of === '' ? ct('reasonOther') : f.of
  return ct(`key_${f.key}` as 'key_win_rate', { of })
}

/** A cell's value as the language writes it: a percentage, days, hours, a count per deal, money. */
export function shown(f: CompareFigure, value: number | null): string {
  if (value === null) return ct('none')
  if (['conversion', 'win_rate', 'lost_share', 'coverage'].includes(f.key)) return percent(value * 100)
  if (f.key === 'average_won') return money(value, f.of ?? undefined)
  return number(value, f.key === 'first_activity_hours' ? 0 : 1)
}

export function CompareDialog({ ws, filters, candidates, onDrill, onClose }: {
  ws: string; filters: Filters; candidates: Candidate[]; onDrill: (drill: Drill) => void; onClose: () => void
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [picked, setPicked] = useState<string[]>(candidates.slice(0, 2).map((c) => c.owner))
  useEffect(() => dialog.current?.showModal(), [])
  const toggle = (owner: string) => setPicked((now) => now.includes(owner) ? now.filter((o) => o !== owner) : [...now, owner].slice(-6))
  return (
    <dialog ref={dialog} class="dialog insights-compare" aria-labelledby="compare-title" onClose={onClose} onCancel={onClose} data-testid="insights-compare">
      <header class="dialog__header">
        <h2 id="compare-title">{ct('title')}</h2>
        <button class="icon-btn" aria-label={ct('close')} onClick={() => dialog.current?.close()}><Icon name="close" /></button>
      </header>
      {candidates.length === 0 ? <p class="muted">{ct('noReps')}</p> : (
        <>
          <fieldset class="insights-compare__pick">
            <legend>{ct('reps')}</legend>
            {candidates.map((c) => (
              <label key={c.owner} class="checkbox">
                <input type="checkbox" checked={picked.includes(c.owner)} onChange={() => toggle(c.owner)} />{c.name}
              </label>
            ))}
          </fieldset>
          {picked.length === 0 ? <p class="muted">{ct('pickOne')}</p>
            : <Figures ws={ws} filters={filters} reps={candidates.filter((c) => picked.includes(c.owner)).map((c) => c.owner)} onDrill={onDrill} />}
        </>
      )}
    </dialog>
  )
}

function Figures({ ws, filters, reps, onDrill }: { ws: string; filters: Filters; reps: string[]; onDrill: (drill: Drill) => void }) {
  const query = new URLSearchParams(reps.map((r) => ['rep', r]))
  query.set('lang', locale.value)
  const url = `${insightsUrl(ws, 'compare', { ...filters, owner: '' })}&${query}`
  const state = useFigure<Comparison>(url)
  const data = state.data
  if (!data) return <Pending state={state} />
  const names = new Map(data.reps.map((r) => [r.owner, r.name]))
  const baseline = data.baseline === 'team' ? ct('baselineColumnTeam', { name: data.baseline_name ?? '' }) : ct('baselineColumnWorkspace')
  const drill = (title: string, cell: Cell) => cell.drill && onDrill({ title, params: cell.drill })
  const gaps = data.explanation.gaps
  return (
    <>
      <p class="muted small">{ct('compareHint', { baseline: data.baseline === 'team' ? ct('baselineTeam', { name: data.baseline_name ?? '' }) : ct('baselineWorkspace') })}</p>
      <section class="insights-compare__why" aria-labelledby="compare-why">
        <h3 id="compare-why">{ct('why')}</h3>
        {gaps.length === 0 ? <p class="muted" data-testid="compare-no-gaps">{ct('noGaps', { n: data.explanation.min_sample })}</p> : (
          <ol data-testid="compare-gaps">
            {gaps.map((g, i) => (
              <li key={i}>
                {g.drill ? <button class="link-btn" onClick={() => onDrill({ title: g.text, params: g.drill! })}>{g.text}</button> : g.text}
              </li>
            ))}
          </ol>
        )}
        {data.explanation.left_out > 0 && (
          <p class="muted small">{ct('leftOut', { count: data.explanation.left_out, n: data.explanation.min_sample })}</p>
        )}
      </section>
      <div class="table-wrap">
        <table class="table insights-table insights-compare__table" data-testid="compare-table">
          <caption class="sr-only">{ct('figures')}</caption>
          <thead><tr>
            <th scope="col">{ct('figure')}</th>
            {data.reps.map((r) => <th key={r.owner} scope="col" class="num">{r.name}</th>)}
            <th scope="col" class="num">{baseline}</th>
          </tr></thead>
          {GROUPS.map(([group, keys]) => {
            const rows = data.figures.filter((f) => keys.includes(f.key))
            if (rows.length === 0) return null
            return (
              <tbody key={group}>
                <tr class="insights-compare__group"><th scope="rowgroup" colSpan={data.reps.length + 2}>{ct(group as 'group_stages')}</th></tr>
                {rows.map((f, i) => {
                  const name = figureName(f)
                  return (
                    <tr key={`${f.key}-${f.of}-${f.stage}-${i}`}>
                      <th scope="row">{name}</th>
                      {f.cells.map((c) => (
                        <td key={c.owner} class="num">
                          <CellValue f={f} cell={c} what={`${names.get(c.owner)}: ${name}`} onDrill={drill} />
                        </td>
                      ))}
                      <td class="num insights-compare__baseline">
                        <CellValue f={f} cell={f.baseline} what={`${baseline}: ${name}`} onDrill={drill} />
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            )
          })}
        </table>
      </div>
    </>
  )
}

function CellValue({ f, cell, what, onDrill }: { f: CompareFigure; cell: Cell; what: string; onDrill: (title: string, cell: Cell) => void }) {
  const text = shown(f, cell.value)
  const sample = <span class="insights-compare__n">{ct('deals', { count: cell.sample })}</span>
  if (!cell.drill || cell.sample === 0) return <>{text}{cell.value !== null && sample}</>
  return (
    <>
      <button class="link-btn" aria-label={`${what}: ${text} (${ct('deals', { count: cell.sample })}). ${ct('showDeals', { what })}`}
        onClick={() => onDrill(what, cell)}>{text}</button>
      {sample}
    </>
  )
}
