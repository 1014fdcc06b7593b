/**
 * "Since last week" on the forecast: the deals expected to close in the dashboard's period, now
 * against a weekly snapshot (`/insights/forecast/changes`, docs/forecast.md) — slipped, pulled in,
 * added, lost, won, deleted, value changed — each a button that lists its deals below (the
 * drill-down), with how often each deal's close date was pushed later. A team narrows it to its
 * members' deals (the dashboard's team filter); another stored week can be compared with.
 */
import { useEffect, useState } from 'preact/hooks'
import { money, shortDate } from '../../lib/format'
import { scoped } from '../../i18n'
import type { Schemas } from '../../lib/api'
import type { Filters } from './filters'
import { Pending, amounts, insightsUrl, it, useFigure } from './common'

export const ft = scoped('forecast')

type Changes = Schemas['ForecastChanges']
type Kind = Schemas['ChangedDeal']['kind']
const KINDS: Kind[] = ['slipped', 'pulled_in', 'added', 'lost', 'won', 'removed', 'value_changed']

export function ForecastChanges({ ws, filters, period }: { ws: string; filters: Filters; period: 'month' | 'quarter' }) {
  const [week, setWeek] = useState('')
  const [kind, setKind] = useState<Kind | ''>('')
  useEffect(() => setKind(''), [filters.team, filters.owner, filters.board])
  const state = useFigure<Changes>(insightsUrl(ws, 'forecast/changes', filters, { week: week || null, period }))
  const data = state.data
  const shown = (data?.deals ?? []).filter((d) => !kind || d.kind === kind)
  return (
    <section class="forecast-changes" aria-labelledby="forecast-changes-title" data-testid="forecast-changes">
      <header class="forecast-changes__header">
        <h3 id="forecast-changes-title">{ft('changesTitle')}</h3>
        <div class="forecast-changes__controls">
          {data && data.weeks.length > 0 && (
            <label class="field"><span class="field__label">{ft('compareWith')}</span>
              <select value={week || data.week || ''} data-testid="forecast-changes-week" onChange={(e) => { setWeek((e.target as HTMLSelectElement).value); setKind('') }}>
                {data.weeks.map((w) => <option key={w} value={w}>{ft('weekOf', { date: shortDate(w) })}</option>)}
              </select>
            </label>
          )}
        </div>
      </header>
      <Pending state={state} />
      {data && (data.week === null ? <p class="muted" data-testid="forecast-changes-empty">{ft('noSnapshot')}</p> : (
        <>
          <p class="muted small">{ft('changesIntro', { from: shortDate(data.from), to: shortDate(data.to), week: shortDate(data.week) })}</p>
          <dl class="forecast-changes__totals">
            <div><dt>{ft('then')}</dt><dd>{ft('deals', { count: data.before.deals })} · {amounts(data.before.value)}</dd></div>
            <div><dt>{ft('now')}</dt><dd>{ft('deals', { count: data.now.deals })} · {amounts(data.now.value)}</dd></div>
          </dl>
          <div class="forecast-changes__kinds" role="group" aria-label={ft('changesTitle')}>
            {KINDS.filter((k) => k !== 'removed' || data.totals.removed?.deals).map((k) => {
              const total = data.totals[k] ?? { deals: 0, value: {} }
              return (
                <button key={k} type="button" class={`forecast-kind forecast-kind--${k}${kind === k ? ' is-on' : ''}`}
                  aria-pressed={kind === k} disabled={!total.deals} title={ft(`hint_${k}`)} data-testid={`forecast-kind-${k}`}
                  aria-label={`${ft('showKind', { kind: ft(`kind_${k}`) })}: ${ft('deals', { count: total.deals })}, ${amounts(total.value)}`}
                  onClick={() => setKind(kind === k ? '' : k)}>
                  <span class="forecast-kind__name">{ft(`kind_${k}`)}</span>
                  <span class="forecast-kind__count">{total.deals}</span>
                  <span class="forecast-kind__value">{total.deals ? amounts(total.value) : '–'}</span>
                </button>
              )
            })}
          </div>
          {data.deals.length === 0 ? <p class="muted" data-testid="forecast-changes-none">{ft('nothingChanged')}</p> : (
            <div class="table-wrap">
              <table class="table insights-table forecast-changes__table" data-testid="forecast-changes-table">
                <caption class="sr-only">{kind ? ft(`kind_${kind}`) : ft('showAll')}</caption>
                <thead><tr>
                  <th scope="col">{ft('deal')}</th><th scope="col">{ft('change')}</th><th scope="col">{ft('owner')}</th>
                  <th scope="col">{ft('closeThen')}</th><th scope="col">{ft('closeNow')}</th>
                  <th scope="col" class="num">{it('value')}</th><th scope="col" class="num">{ft('pushedColumn')}</th>
                </tr></thead>
                <tbody>
                  {shown.map((d) => (
                    <tr key={`${d.kind}-${d.card}`} data-kind={d.kind}>
                      <th scope="row"><a href={`/w/${ws}/boards/${d.board}/deals/${d.card}`}>{d.title}</a></th>
                      <td data-label={ft('change')}><span class={`forecast-tag forecast-tag--${d.kind}`}>{ft(`kind_${d.kind}`)}</span></td>
                      <td data-label={ft('owner')}>{d.owner_name ?? it('noOwner')}</td>
                      <td data-label={ft('closeThen')}>{shortDate(d.close_before) || it('none')}</td>
                      <td data-label={ft('closeNow')}>{shortDate(d.close_now) || it('none')}</td>
                      <td data-label={it('value')} class="num">{signed(d.change, d.currency)}</td>
                      <td data-label={ft('pushedColumn')} class="num" title={d.pushes ? ft('pushes', { count: d.pushes }) : ft('neverPushed')}>{d.pushes ?? '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ))}
    </section>
  )
}

function signed(value: number, currency: string): string {
  const text = money(value, currency)
  return value > 0 ? `+${text}` : text
}
