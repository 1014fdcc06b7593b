/**
 * Goals: per member or for the whole workspace, every month or quarter — deals won (count or
 * value), deals added, activities done — with this period's attainment, the projection to its end
 * and how likely the target is. Owners and admins add and edit them here (the others read); a goal's figure
 * opens the deals behind it — a member's, a team's or the workspace's — with the query the server names
 * (`goal.deals`: figure, dates to today, owner or team).
 */
import { useEffect, useState } from 'preact/hooks'
import { del, get, patch, post, type Schemas } from '../../lib/api'
import { isAdmin, members } from '../../lib/session'
import { money, number, percent, shortDate } from '../../lib/format'
import { Empty, announce, toastError } from '../../components/ui'
import type { WidgetProps } from './Dashboard'
import { BarChart, COLOURS } from './BarChart'
import { CsvLink, Pending, csvUrl, it, useFigure } from './common'
import { timeZone } from './filters'
import type { Goal, GoalInput, Goals, Metric } from './types'
import { ft } from './ForecastChanges'

const METRICS: Metric[] = ['deals_won_count', 'deals_won_value', 'deals_added', 'activities_done']

function amount(goal: Goal, value: number, currency: string): string {
  return goal.metric === 'deals_won_value' ? money(value, currency) : number(value, 1)
}

export function GoalsWidget({ ws, filters, onDrill }: WidgetProps) {
  const [refresh, setRefresh] = useState(0)
  const [editing, setEditing] = useState<Goal | 'new' | null>(null)
  const state = useFigure<Goals>(`/api/workspaces/${ws}/goals?tz=${encodeURIComponent(timeZone())}`, refresh)
  const goals = state.data?.goals ?? []
  const currency = state.data?.currency ?? 'EUR'
  const name = it('widget_goals')
  const title = (g: Goal) => `${g.team_name ? ft('teamGoal', { name: g.team_name }) : g.user_name ?? it('wholeWorkspace')} · ${it(`metric_${g.metric}`)} · ${it(`interval_${g.period}`)}`
  const drill = (g: Goal) => {
    const deals = g.deals
    if (!deals) return // activities done: no deals behind them
    onDrill({ // '' lifts a dashboard filter: the goal's own owner or team, over every pipeline
      title: title(g),
      params: { figure: deals.figure, from: deals.from, to: deals.to, owner: deals.owner ?? '', team: deals.team ?? '', board: '' },
    })
  }
  const done = () => {
    setEditing(null)
    setRefresh((n) => n + 1)
  }
  return (
    <>
      <Pending state={state} />
      {state.data && (goals.length === 0 && editing === null ? (
        <Empty title={it('goalsEmpty')} icon="◎">
          <p>{isAdmin.value ? it('goalsEmptyHint') : it('goalsEmptyViewer')}</p>
          {isAdmin.value && <button class="btn btn--primary" onClick={() => setEditing('new')}>{it('addGoal')}</button>}
        </Empty>
      ) : (
        <>
          {goals.some((g) => g.attainment) && (
            <BarChart testId="chart-goals" horizontal label={it('chartOf', { name })} labels={goals.map(title)}
              height={Math.max(120, goals.length * 34 + 50)} format={(v) => percent(v)} max={100}
              series={[{ label: it('attainment'), values: goals.map((g) => Math.round((g.attainment?.attainment ?? 0) * 1000) / 10), colour: COLOURS[0] }]}
              onPick={(index) => drill(goals[index])} />
          )}
          <ul class="insights-goals" data-testid="goals-list">
            {goals.map((g) => (
              <li key={g.id} class="insights-goal">
                {editing !== null && editing !== 'new' && editing.id === g.id ? (
                  <GoalForm ws={ws} goal={g} onDone={done} onCancel={() => setEditing(null)} />
                ) : (
                  <GoalRow goal={g} title={title(g)} currency={currency} onDrill={() => drill(g)} onEdit={() => setEditing(g)} />
                )}
              </li>
            ))}
          </ul>
          {editing === 'new' ? <GoalForm ws={ws} goal={null} onDone={done} onCancel={() => setEditing(null)} />
            : isAdmin.value && <button class="btn" onClick={() => setEditing('new')} data-testid="add-goal">{it('addGoal')}</button>}
          {goals.length > 0 && <CsvLink href={csvUrl(ws, 'goals', filters)} name={name} />}
        </>
      ))}
    </>
  )
}

function GoalRow({ goal, title, currency, onDrill, onEdit }: { goal: Goal; title: string; currency: string; onDrill: () => void; onEdit: () => void }) {
  const a = goal.attainment
  const share = Math.min(100, Math.round((a?.attainment ?? 0) * 100))
  const drillable = a && goal.deals && a.actual > 0
  return (
    <>
      <div class="insights-goal__head">
        <strong>{title}</strong>
        {a && <span class={`tag insights-likelihood insights-likelihood--${a.likelihood}`} title={a.explanation}>{it(`likelihood_${a.likelihood}`)}</span>}
        {isAdmin.value && <button class="btn btn--small btn--ghost" onClick={onEdit} aria-label={it('editGoalOf', { name: title })}>{it('editGoal')}</button>}
      </div>
      {a ? (
        <>
          <div class="insights-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={share}
            aria-label={`${title}: ${it('attainment')}`}>
            <span style={{ width: `${share}%` }} />
          </div>
          <p class="insights-goal__figures">
            <span>{it('actual')}: {drillable
              ? <button class="link-btn" onClick={onDrill} aria-label={it('showDeals', { what: title })}>{amount(goal, a.actual, currency)}</button>
              : amount(goal, a.actual, currency)} / {amount(goal, goal.target, currency)}</span>
            <span>{it('attainment')}: {percent(a.attainment * 100)}</span>
            <span>{it('projected')}: {amount(goal, goal.metric === 'deals_won_value' ? Math.round(a.projected) : a.projected, currency)}</span>
            <span class="muted">{it('range', { from: shortDate(a.period_start), to: shortDate(a.period_end) })}</span>
          </p>
        </>
      ) : (
        <p class="muted">{it('startsOn')} {shortDate(goal.starts_on)} · {it('target')}: {amount(goal, goal.target, currency)}</p>
      )}
    </>
  )
}

function GoalForm({ ws, goal, onDone, onCancel }: { ws: string; goal: Goal | null; onDone: () => void; onCancel: () => void }) {
  const [busy, setBusy] = useState(false)
  const [teams, setTeams] = useState<Schemas['Team'][]>([])
  useEffect(() => { get<Schemas['Team'][]>(`/api/workspaces/${ws}/teams`).then(setTeams, () => setTeams([])) }, [ws])
  async function submit(event: Event) {
    event.preventDefault()
    const data = new FormData(event.currentTarget as HTMLFormElement)
    const who = String(data.get('user_id') ?? '') // a member's id, team:<id>, or '' (the workspace)
    const body: GoalInput = {
      user_id: who.startsWith('team:') ? null : who || null,
      team_id: who.startsWith('team:') ? who.slice(5) : null,
      metric: String(data.get('metric')) as Metric,
      period: String(data.get('period')) as 'month' | 'quarter',
      target: Number(String(data.get('target') ?? '').replace(',', '.')),
      starts_on: String(data.get('starts_on') ?? '') || null,
    }
    setBusy(true)
    try {
      if (goal) await patch(`/api/workspaces/${ws}/goals/${goal.id}`, body)
      else await post(`/api/workspaces/${ws}/goals`, body)
      announce(it('goalSaved'))
      onDone()
    } catch (error) {
      toastError(error)
      setBusy(false)
    }
  }
  async function remove() {
    if (!goal) return
    setBusy(true)
    try {
      await del(`/api/workspaces/${ws}/goals/${goal.id}`)
      announce(it('goalDeleted'))
      onDone()
    } catch (error) {
      toastError(error)
      setBusy(false)
    }
  }
  return (
    <form class="insights-goal-form" onSubmit={submit} aria-label={goal ? it('editGoal') : it('addGoal')} data-testid="goal-form">
      <label class="field"><span class="field__label">{it('who')}</span>
        <select name="user_id" key={teams.length} defaultValue={goal?.team_id ? `team:${goal.team_id}` : goal?.user_id ?? ''} data-testid="goal-who">
          <option value="">{it('wholeWorkspace')}</option>
          {teams.map((team) => <option key={team.id} value={`team:${team.id}`}>{ft('teamGoal', { name: team.name })}</option>)}
          {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
        </select>
      </label>
      <label class="field"><span class="field__label">{it('metric')}</span>
        <select name="metric" defaultValue={goal?.metric ?? 'deals_won_value'}>
          {METRICS.map((m) => <option key={m} value={m}>{it(`metric_${m}`)}</option>)}
        </select>
      </label>
      <label class="field"><span class="field__label">{it('goalPeriod')}</span>
        <select name="period" defaultValue={goal?.period ?? 'month'}>
          <option value="month">{it('interval_month')}</option>
          <option value="quarter">{it('interval_quarter')}</option>
        </select>
      </label>
      <label class="field"><span class="field__label">{it('target')}</span>
        <input name="target" inputMode="decimal" required pattern="[0-9]+([.,][0-9]+)?" defaultValue={goal ? String(goal.target) : ''} />
      </label>
      <label class="field"><span class="field__label">{it('startsOn')}</span>
        <input name="starts_on" type="date" defaultValue={goal?.starts_on ?? ''} />
      </label>
      <div class="insights-goal-form__actions">
        <button class="btn btn--primary" type="submit" disabled={busy}>{it('saveGoal')}</button>
        <button class="btn" type="button" onClick={onCancel}>{it('cancel')}</button>
        {goal && <button class="btn btn--danger" type="button" disabled={busy} onClick={remove}>{it('deleteGoal')}</button>}
      </div>
    </form>
  )
}
