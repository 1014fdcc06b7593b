/**
 * `/w/<ws>/insights`: the insights dashboard (issue 19). Filters (pipeline, owner, period) live in
 * the address; each widget asks the insights API for its figure and shows it as a chart and a
 * table, any bar or row opening the deals behind it (`DrillDown`). The layout — which widgets,
 * in which order — is the workspace's shared Yjs document (`layout.ts`): members arrange it and
 * save, and every open dashboard follows at once; viewers see it as saved.
 */
import { useEffect, useState } from 'preact/hooks'
import { get, type Schemas } from '../../lib/api'
import { navigate } from '../../lib/router'
import { boards, canEdit, members, workspaceId } from '../../lib/session'
import { useDocVersion, useSyncedDoc } from '../../lib/ydocs'
import { currencySettings, loadCurrencySettings } from '../../lib/money'
import { shortDate } from '../../lib/format'
import { Empty, Icon, Spinner, announce } from '../../components/ui'
import { PERIODS, addressOf, readFilters, type Filters, type Period } from './filters'
import { moved, readLayout, sameLayout, saveLayout, toggled, type Placed, type WidgetId } from './layout'
import { DrillDown, type Drill } from './DrillDown'
import { it } from './common'
import { FunnelWidget } from './Funnel'
import { ForecastWidget } from './Forecast'
import { ft } from './ForecastChanges'
import { GoalsWidget } from './Goals'
import { RepsWidget } from './Reps'
import { LostReasonsWidget } from './LostReasons'
import './insights.css'

export interface WidgetProps {
  ws: string
  filters: Filters
  onDrill: (drill: Drill) => void
}

const RENDER: Record<WidgetId, (props: WidgetProps) => preact.JSX.Element> = {
  funnel: FunnelWidget, forecast: ForecastWidget, goals: GoalsWidget, reps: RepsWidget, lostReasons: LostReasonsWidget,
}

export function Dashboard() {
  const ws = workspaceId.value!
  const filters = readFilters()
  const synced = useSyncedDoc(`dashboard:${ws}`)
  useDocVersion(synced?.doc)
  const saved = readLayout(synced?.doc ?? null)
  const [draft, setDraft] = useState<Placed[] | null>(null)
  const [base, setBase] = useState<Placed[]>([]) // the layout when arranging began: what the save compares with
  const [drill, setDrill] = useState<Drill | null>(null)
  const layout = draft ?? saved
  const pipelines = boards.value.filter((b) => b.kind === 'pipeline')
  useEffect(() => {
    loadCurrencySettings(ws).catch(() => null) // the "convert to" choice only; the figures come without it
  }, [ws])
  // The widgets wait for the shared layout (no default layout flashing first), or a moment when offline
  const [waited, setWaited] = useState(false)
  useEffect(() => {
    const timer = setTimeout(() => setWaited(true), 1500)
    return () => clearTimeout(timer)
  }, [ws])
  const ready = waited || synced?.synced.value === true
  // A workspace without a single deal yet gets one clear sentence instead of five empty widgets' worth
  const [hasDeals, setHasDeals] = useState<boolean | null>(null)
  useEffect(() => {
    setHasDeals(null)
    get<unknown[]>(`/api/workspaces/${ws}/deals?limit=1`).then((deals) => setHasDeals(deals.length > 0), () => setHasDeals(true))
  }, [ws])

  /** Move a widget one place; the keyboard stays on it (its other arrow at an end) and a screen reader hears where it went. */
  function move(index: number, step: -1 | 1) {
    const next = moved(layout, index, step)
    setDraft(next)
    const to = index + step
    const id = next[to].id
    const atEnd = (step < 0 && to === 0) || (step > 0 && to === next.length - 1)
    const button = `${(step < 0) !== atEnd ? 'move-up' : 'move-down'}-${id}`
    requestAnimationFrame(() => document.getElementById(button)?.focus())
    announce(it('movedTo', { name: it(`widget_${id}`), position: to + 1, count: next.length }))
  }

  function save() {
    if (synced && draft && !sameLayout(draft, base)) saveLayout(synced.doc, draft, base)
    setDraft(null)
    announce(it('layoutSaved'))
  }

  return (
    <div class="page-wide insights-page">
      <header class="page-header">
        <div class="page-header__title"><h1>{it('title')}</h1></div>
        {canEdit.value && ready && (draft ? (
          <div class="insights-arrange-actions">
            <button class="btn" onClick={() => setDraft(null)}>{it('cancel')}</button>
            <button class="btn btn--primary" onClick={save} data-testid="insights-save-layout">{it('saveLayout')}</button>
          </div>
        ) : (
          <button class="btn" onClick={() => { setBase(saved); setDraft(saved) }} data-testid="insights-arrange"><Icon name="grip" />{it('arrange')}</button>
        ))}
      </header>
      <p class="muted">{it('intro')}</p>
      <FilterBar ws={ws} filters={filters} pipelines={pipelines} />
      {draft && <p class="insights-hint" role="note">{it('arrangeHint')}</p>}
      {!ready ? <Spinner label={it('loading')} /> : pipelines.length === 0 ? (
        <Empty title={it('noPipelines')}>{it('noPipelinesHint')}</Empty>
      ) : hasDeals === false && !draft ? (
        <div data-testid="insights-no-deals">
          <Empty title={it('noDealsTitle')}>
            <p>{it('noDealsHint')}</p>
            <a class="btn btn--primary" href={`/w/${ws}/boards/${pipelines[0].id}`}>{it('openPipeline', { name: pipelines[0].name })}</a>
          </Empty>
          <section class="insights-widget" aria-labelledby="widget-goals" data-testid="widget-goals">
            <header class="insights-widget__header"><h2 id="widget-goals">{it('widget_goals')}</h2></header>
            <GoalsWidget ws={ws} filters={filters} onDrill={setDrill} />
          </section>
        </div>
      ) : (
        <div class="insights-grid">
          {layout.map((w, index) => {
            if (w.hidden && !draft) return null
            const Widget = RENDER[w.id]
            const name = it(`widget_${w.id}`)
            return (
              <section key={w.id} class={`insights-widget insights-widget--${w.id}${w.hidden ? ' is-hidden' : ''}`}
                aria-labelledby={`widget-${w.id}`} data-testid={`widget-${w.id}`}>
                <header class="insights-widget__header">
                  <h2 id={`widget-${w.id}`}>{name}</h2>
                  {draft && (
                    <div class="insights-widget__arrange" role="group" aria-label={it('arrange')}>
                      <button id={`move-up-${w.id}`} class="btn btn--small" disabled={index === 0} aria-label={it('moveUp', { name })}
                        title={it('moveUp', { name })} onClick={() => move(index, -1)}>↑</button>
                      <button id={`move-down-${w.id}`} class="btn btn--small" disabled={index === layout.length - 1}
                        aria-label={it('moveDown', { name })} title={it('moveDown', { name })} onClick={() => move(index, 1)}>↓</button>
                      <button class="btn btn--small" aria-pressed={!w.hidden} onClick={() => setDraft(toggled(layout, w.id))}>
                        {w.hidden ? it('show', { name }) : it('hide', { name })}
                      </button>
                    </div>
                  )}
                </header>
                {draft ? (w.hidden && <p class="muted">{it('hidden')}</p>) : <Widget ws={ws} filters={filters} onDrill={setDrill} />}
              </section>
            )
          })}
        </div>
      )}
      {drill && <DrillDown ws={ws} filters={filters} drill={drill} onClose={() => setDrill(null)} />}
    </div>
  )
}

function FilterBar({ ws, filters, pipelines }: { ws: string; filters: Filters; pipelines: { id: string; name: string }[] }) {
  const [from, setFrom] = useState(filters.from)
  const [to, setTo] = useState(filters.to)
  const go = (change: Partial<Filters>) => navigate(addressOf(ws, { ...filters, ...change }))
  const [teams, setTeams] = useState<Schemas['Team'][]>([])
  useEffect(() => { get<Schemas['Team'][]>(`/api/workspaces/${ws}/teams`).then(setTeams, () => setTeams([])) }, [ws])
  const currency = currencySettings.value?.currency
  return (
    <form class="insights-filters" aria-label={it('filters')} onSubmit={(e) => {
      e.preventDefault()
      if (from && to) go({ period: 'custom', from, to })
    }}>
      <label class="field"><span class="field__label">{it('pipeline')}</span>
        <select value={filters.board} data-testid="insights-board" onChange={(e) => go({ board: (e.target as HTMLSelectElement).value })}>
          <option value="">{it('allPipelines')}</option>
          {pipelines.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
        </select>
      </label>
      <label class="field"><span class="field__label">{it('owner')}</span>
        <select value={filters.owner} data-testid="insights-owner" onChange={(e) => go({ owner: (e.target as HTMLSelectElement).value })}>
          <option value="">{it('everyone')}</option>
          {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
        </select>
      </label>
      {teams.length > 0 && (
        <label class="field"><span class="field__label">{ft('team')}</span>
          <select value={filters.team} data-testid="insights-team" onChange={(e) => go({ team: (e.target as HTMLSelectElement).value })}>
            <option value="">{ft('everyone')}</option>
            {teams.map((team) => <option key={team.id} value={team.id}>{team.name}</option>)}
          </select>
        </label>
      )}
      <label class="field"><span class="field__label">{it('period')}</span>
        <select value={filters.period} data-testid="insights-period" onChange={(e) => {
          const period = (e.target as HTMLSelectElement).value as Period
          go(period === 'custom' ? { period, from, to } : { period })
        }}>
          {PERIODS.map((p) => <option key={p} value={p}>{it(`period_${p}`)}</option>)}
        </select>
      </label>
      {filters.period === 'custom' ? (
        <>
          <label class="field"><span class="field__label">{it('from')}</span>
            <input type="date" value={from} required max={to} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
          </label>
          <label class="field"><span class="field__label">{it('to')}</span>
            <input type="date" value={to} required min={from} onInput={(e) => setTo((e.target as HTMLInputElement).value)} />
          </label>
          <button class="btn" type="submit">{it('apply')}</button>
        </>
      ) : (
        <p class="insights-range muted">{it('range', { from: shortDate(filters.from), to: shortDate(filters.to) })}</p>
      )}
      {currency && (
        <label class="checkbox insights-converted">
          <input type="checkbox" checked={filters.converted} onChange={(e) => go({ converted: (e.target as HTMLInputElement).checked })} />
          {it('converted', { currency })}
        </label>
      )}
    </form>
  )
}
