/**
 * Settings → Automations (issue 16): the workspace's rules, built with a form — a trigger (its type,
 * then the board and stage or field from selects of this workspace's pipeline boards), then
 * actions added from a menu, each with its own inputs — never JSON. Admins add, enable, disable
 * and delete rules; everyone in the workspace reads them and each rule's run log (when, the
 * trigger, each action's result or error).
 */
import { useEffect, useState } from 'preact/hooks'
import { api, type Schemas } from '../../lib/api'
import { boards, members, workspaceId } from '../../lib/session'
import { dateTime } from '../../lib/format'
import { Empty, Icon, Spinner, announce, toastError } from '../../components/ui'
import { aut } from '../../i18n'

type Rule = Schemas['Automation']
type Run = Schemas['AutomationRun']
type Stage = { stage: string; name: string }
type Action = Record<string, unknown> & { type: string }

const TRIGGERS = ['deal_created', 'deal_stage_entered', 'deal_won', 'deal_lost', 'field_changed'] as const
const ACTIONS = ['create_task', 'move_deal', 'set_field', 'add_label', 'notify', 'wait'] as const
const WATCHED = ['value', 'stage', 'status'] as const
const SETTABLE = ['title', 'value', 'expected_close'] as const
const TEMPLATE = '{{deal.title}}'
const CONDITION_FIELDS = ['value', 'title', 'status', 'owner', 'labels', 'currency', 'expected_close'] as const
const OPS = ['equals', 'not_equals', 'greater_than', 'less_than', 'contains', 'is_empty', 'is_not_empty'] as const
type Condition = { field: string; op: string; value: string }

function blank(type: string, stages: Stage[]): Action {
  switch (type) {
    case 'create_task': return { type, title: aut('defaultTaskTitle', { template: TEMPLATE }), assignee: 'deal_owner', due_in_days: 1 }
    case 'move_deal': return { type, stage: stages[0]?.stage ?? '' }
    case 'set_field': return { type, field: 'title', value: '' }
    case 'add_label': return { type, label: '' }
    case 'wait': return { type, days: 1 }
    default: return { type, user: 'deal_owner', message: '' }
  }
}

/** The stages of each pipeline board, as the pipeline report lists them (in board order). */
function useStages(board: string): Stage[] {
  const [stages, setStages] = useState<Stage[]>([])
  useEffect(() => {
    if (!board) { setStages([]); return }
    void api<{ stages: Stage[] }>('GET', `/api/workspaces/${workspaceId.value}/pipeline-report?board=${board}`)
      .then((r) => setStages(r.stages), toastError)
  }, [board])
  return stages
}

export function AutomationsSettings({ admin }: { admin: boolean }) {
  const ws = workspaceId.value!
  const base = `/api/workspaces/${ws}/automations`
  const [rules, setRules] = useState<Rule[] | null>(null)
  const [open, setOpen] = useState<string | null>(null)
  async function load() {
    try { setRules(await api<Rule[]>('GET', base)) } catch (e) { toastError(e) }
  }
  useEffect(() => { void load() }, [ws])
  if (!rules) return <Spinner />
  async function toggle(rule: Rule) {
    try {
      await api('PATCH', `${base}/${rule.id}`, { enabled: !rule.enabled })
      announce(rule.enabled ? aut('disabledNow') : aut('enabledNow'))
      await load()
    } catch (e) { toastError(e) }
  }
  async function remove(rule: Rule) {
    if (!confirm(aut('confirmDelete', { name: rule.name }))) return
    try {
      await api('DELETE', `${base}/${rule.id}`)
      announce(aut('deleted'))
      await load()
    } catch (e) { toastError(e) }
  }
  return (
    <div class="automations" data-testid="automation-settings">
      <p class="muted settings__help">{aut('help')}</p>
      <section class="settings__group" aria-labelledby="automations-list">
        <h3 id="automations-list">{aut('rules')}</h3>
        {rules.length === 0 ? <Empty title={aut('none')}>{aut('noneBody')}</Empty> : (
          <ul class="webhooks__list">
            {rules.map((rule) => (
              <li key={rule.id} class="webhooks__item" data-testid="automation-row" data-name={rule.name}>
                <div class="webhooks__head">
                  <strong>{rule.name}</strong>
                  {rule.enabled
                    ? <span class="tag tag--won" data-testid="automation-state">{aut('enabled')}</span>
                    : <span class="tag tag--lost" data-testid="automation-state">{aut('disabled')}</span>}
                </div>
                <p class="muted">{aut('when')}: {triggerText(rule.trigger)} → {rule.actions.map((a) => aut(`action_${a.type as string}` as never)).join(', ')}</p>
                <div class="row">
                  {admin && <button type="button" class="btn btn--small" onClick={() => void toggle(rule)}>
                    {rule.enabled ? aut('disable') : aut('enable')}</button>}
                  <button type="button" class="btn btn--small" aria-expanded={open === rule.id} data-testid="automation-runs-button"
                    onClick={() => setOpen(open === rule.id ? null : rule.id)}>{aut('runLog')}</button>
                  {admin && <button type="button" class="btn btn--small btn--danger" onClick={() => void remove(rule)}>{aut('delete')}</button>}
                </div>
                {open === rule.id && <Runs path={`${base}/${rule.id}/runs`} />}
              </li>
            ))}
          </ul>
        )}
      </section>
      {admin && <Builder base={base} onAdded={load} />}
    </div>
  )
}

function triggerText(trigger: Record<string, unknown>): string {
  const type = aut(`trigger_${trigger.type as string}` as never)
  const board = boards.value.find((b) => b.id === trigger.board)?.name ?? ''
  if (trigger.type === 'field_changed') return `${type} (${aut(`field_${trigger.field as string}` as never)}) · ${board}`
  return board ? `${type} · ${board}` : type
}

function Builder({ base, onAdded }: { base: string; onAdded: () => Promise<void> }) {
  const pipelines = boards.value.filter((b) => b.kind === 'pipeline')
  const [name, setName] = useState('')
  const [type, setType] = useState<string>('deal_stage_entered')
  const [board, setBoard] = useState(pipelines[0]?.id ?? '')
  const [stage, setStage] = useState('')
  const [field, setField] = useState<string>('value')
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [actions, setActions] = useState<Action[]>([])
  const [conditions, setConditions] = useState<Condition[]>([])
  const setCondition = (i: number, changes: Partial<Condition>) =>
    setConditions(conditions.map((c, j) => (j === i ? { ...c, ...changes } : c)))
  useEffect(() => { if (!pipelines.some((b) => b.id === board) && pipelines.length) setBoard(pipelines[0].id) }, [pipelines.length])
  const stages = useStages(board)
  useEffect(() => { if (stages.length && !stages.some((s) => s.stage === stage)) setStage(stages[0].stage) }, [stages])
  const set = (i: number, changes: Record<string, unknown>) =>
    setActions(actions.map((a, j) => (j === i ? { ...a, ...changes } : a)))
  async function add(e: Event) {
    e.preventDefault()
    const trigger: Record<string, unknown> = { type, board }
    if (type === 'deal_stage_entered') trigger.stage = stage
    if (type === 'field_changed') {
      trigger.field = field
      if (from) trigger.from = field === 'value' ? Number(from) : from
      if (to) trigger.to = field === 'value' ? Number(to) : to
    }
    const body = actions.map((a) => (a.type === 'set_field' && a.field === 'value' ? { ...a, value: Number(a.value) } : a))
    try {
      const when = conditions.map((c) => ({
        field: c.field, op: c.op,
        value: c.op === 'is_empty' || c.op === 'is_not_empty' ? null
          : (c.op === 'greater_than' || c.op === 'less_than' || c.field === 'value') && c.value !== '' && !Number.isNaN(Number(c.value)) ? Number(c.value) : c.value,
      }))
      await api('POST', base, { name, trigger, actions: body, conditions: when })
      announce(aut('added'))
      setName('')
      setActions([])
      setConditions([])
      await onAdded()
    } catch (err) { toastError(err) }
  }
  const stageSelect = (value: string, onChange: (v: string) => void, label: string, testid: string) => (
    <label class="field">
      <span class="field__label">{label}</span>
      <select value={value} data-testid={testid} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {stages.map((s) => <option key={s.stage} value={s.stage}>{s.name}</option>)}
      </select>
    </label>
  )
  const people = (value: string, onChange: (v: string) => void, label: string) => (
    <label class="field">
      <span class="field__label">{label}</span>
      <select value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        <option value="deal_owner">{aut('dealOwner')}</option>
        {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
      </select>
    </label>
  )
  return (
    <section class="settings__group" aria-labelledby="automations-add">
      <h3 id="automations-add">{aut('add')}</h3>
      <form class="automations__form" data-testid="automation-builder" onSubmit={(e) => void add(e)}>
        <label class="field">
          <span class="field__label">{aut('name')}</span>
          <input required maxLength={200} value={name} data-testid="automation-name"
            onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <fieldset class="automations__part">
          <legend>{aut('trigger')}</legend>
          <label class="field">
            <span class="field__label">{aut('when')}</span>
            <select value={type} data-testid="automation-trigger" onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
              {TRIGGERS.map((t) => <option key={t} value={t}>{aut(`trigger_${t}`)}</option>)}
            </select>
          </label>
          <label class="field">
            <span class="field__label">{aut('board')}</span>
            <select value={board} data-testid="automation-board" onChange={(e) => setBoard((e.target as HTMLSelectElement).value)}>
              {pipelines.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
            </select>
          </label>
          {type === 'deal_stage_entered' && stageSelect(stage, setStage, aut('stage'), 'automation-stage')}
          {type === 'field_changed' && <>
            <label class="field">
              <span class="field__label">{aut('field')}</span>
              <select value={field} onChange={(e) => setField((e.target as HTMLSelectElement).value)}>
                {WATCHED.map((f) => <option key={f} value={f}>{aut(`field_${f}`)}</option>)}
              </select>
            </label>
            <label class="field"><span class="field__label">{aut('from')}</span>
              <input value={from} placeholder={aut('any')} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} /></label>
            <label class="field"><span class="field__label">{aut('to')}</span>
              <input value={to} placeholder={aut('any')} onInput={(e) => setTo((e.target as HTMLInputElement).value)} /></label>
          </>}
        </fieldset>
        <fieldset class="automations__part" data-testid="automation-conditions">
          <legend>{aut('conditions')}</legend>
          {conditions.length === 0 && <p class="muted">{aut('noConditions')}</p>}
          {conditions.map((c, i) => (
            <div key={i} class="automations__condition" data-testid="automation-condition">
              <select aria-label={aut('field')} value={c.field} onChange={(e) => setCondition(i, { field: (e.target as HTMLSelectElement).value })}>
                {CONDITION_FIELDS.map((f) => <option key={f} value={f}>{aut(`field_${f}`)}</option>)}
              </select>
              <select aria-label={aut('operator')} value={c.op} onChange={(e) => setCondition(i, { op: (e.target as HTMLSelectElement).value })}>
                {OPS.map((o) => <option key={o} value={o}>{aut(`op_${o}`)}</option>)}
              </select>
              {c.op !== 'is_empty' && c.op !== 'is_not_empty' &&
                <input aria-label={aut('value')} required value={c.value} onInput={(e) => setCondition(i, { value: (e.target as HTMLInputElement).value })} />}
              <button type="button" class="btn btn--small" aria-label={aut('removeCondition')}
                onClick={() => setConditions(conditions.filter((_, j) => j !== i))}><Icon name="close" size={14} /></button>
            </div>
          ))}
          <button type="button" class="btn btn--small" data-testid="automation-add-condition"
            onClick={() => setConditions([...conditions, { field: 'value', op: 'greater_than', value: '' }])}>
            <Icon name="plus" size={14} />{aut('addCondition')}</button>
        </fieldset>
        <fieldset class="automations__part">
          <legend>{aut('actions')}</legend>
          {actions.length === 0 && <p class="muted">{aut('noActions')}</p>}
          <ol class="automations__actions">
            {actions.map((a, i) => (
              <li key={i} class="automations__action" data-testid="automation-action" data-type={a.type}>
                <div class="webhooks__head">
                  <strong>{aut(`action_${a.type}` as never)}</strong>
                  <button type="button" class="btn btn--small" aria-label={aut('removeAction')}
                    onClick={() => setActions(actions.filter((_, j) => j !== i))}><Icon name="close" size={14} /></button>
                </div>
                {a.type === 'create_task' && <>
                  <label class="field"><span class="field__label">{aut('taskTitle')}</span>
                    <input required value={a.title as string} data-testid="automation-task-title"
                      onInput={(e) => set(i, { title: (e.target as HTMLInputElement).value })} /></label>
                  <p class="muted">{aut('templateHint', { template: TEMPLATE })}</p>
                  {people(a.assignee as string, (v) => set(i, { assignee: v }), aut('assignee'))}
                  <label class="field"><span class="field__label">{aut('dueInDays')}</span>
                    <input type="number" min={0} max={3650} value={a.due_in_days as number}
                      onInput={(e) => set(i, { due_in_days: Number((e.target as HTMLInputElement).value) })} /></label>
                </>}
                {a.type === 'move_deal' && stageSelect(a.stage as string, (v) => set(i, { stage: v }), aut('toStage'), 'automation-move-stage')}
                {a.type === 'set_field' && <>
                  <label class="field"><span class="field__label">{aut('field')}</span>
                    <select value={a.field as string} onChange={(e) => set(i, { field: (e.target as HTMLSelectElement).value })}>
                      {SETTABLE.map((f) => <option key={f} value={f}>{aut(`field_${f}`)}</option>)}
                    </select></label>
                  <label class="field"><span class="field__label">{aut('value')}</span>
                    {a.field === 'value'
                      ? <input required type="number" min={0} value={a.value as string} onInput={(e) => set(i, { value: (e.target as HTMLInputElement).value })} />
                      : a.field === 'expected_close'
                        ? <input required type="date" value={a.value as string} onInput={(e) => set(i, { value: (e.target as HTMLInputElement).value })} />
                        : <input required value={a.value as string} onInput={(e) => set(i, { value: (e.target as HTMLInputElement).value })} />}</label>
                </>}
                {a.type === 'add_label' && <label class="field"><span class="field__label">{aut('label')}</span>
                  <input required value={a.label as string} onInput={(e) => set(i, { label: (e.target as HTMLInputElement).value })} /></label>}
                {a.type === 'notify' && <>
                  {people(a.user as string, (v) => set(i, { user: v }), aut('notifyWho'))}
                  <label class="field"><span class="field__label">{aut('message')}</span>
                    <input required value={a.message as string} data-testid="automation-notify-message"
                      onInput={(e) => set(i, { message: (e.target as HTMLInputElement).value })} /></label>
                  <p class="muted">{aut('templateHint', { template: TEMPLATE })} {aut('notifyHint')}</p>
                </>}
                {a.type === 'wait' && <div class="automations__wait">
                  <label class="field"><span class="field__label">{aut('waitFor')}</span>
                    <input required type="number" min={1} max={a.hours !== undefined ? 8760 : 365} data-testid="automation-wait-amount"
                      value={(a.hours ?? a.days) as number}
                      onInput={(e) => {
                        const n = Number((e.target as HTMLInputElement).value)
                        set(i, a.hours !== undefined ? { hours: n } : { days: n })
                      }} /></label>
                  <label class="field"><span class="field__label">{aut('waitUnit')}</span>
                    <select value={a.hours !== undefined ? 'hours' : 'days'} onChange={(e) => {
                      const n = (a.hours ?? a.days) as number
                      setActions(actions.map((x, j) => j === i ? ((e.target as HTMLSelectElement).value === 'hours' ? { type: 'wait', hours: n } : { type: 'wait', days: n }) : x))
                    }}>
                      <option value="days">{aut('unit_days')}</option>
                      <option value="hours">{aut('unit_hours')}</option>
                    </select></label>
                </div>}
              </li>
            ))}
          </ol>
          <label class="field">
            <span class="field__label">{aut('addAction')}</span>
            <select value="" data-testid="automation-add-action" onChange={(e) => {
              const value = (e.target as HTMLSelectElement).value
              if (value) setActions([...actions, blank(value, stages)])
            }}>
              <option value="">{aut('chooseAction')}</option>
              {ACTIONS.map((t) => <option key={t} value={t}>{aut(`action_${t}`)}</option>)}
            </select>
          </label>
        </fieldset>
        <button class="btn btn--primary btn--small" data-testid="automation-save" disabled={!actions.length}>
          <Icon name="plus" size={16} />{aut('addButton')}</button>
      </form>
    </section>
  )
}

function Runs({ path }: { path: string }) {
  const [runs, setRuns] = useState<Run[] | null>(null)
  useEffect(() => { void api<Run[]>('GET', path).then(setRuns, toastError) }, [path])
  if (!runs) return <Spinner />
  if (!runs.length) return <p class="muted" data-testid="automation-runs">{aut('noRuns')}</p>
  return (
    <table class="rates webhooks__log" data-testid="automation-runs">
      <caption class="sr-only">{aut('runLog')}</caption>
      <thead><tr>
        <th scope="col">{aut('time')}</th><th scope="col">{aut('trigger')}</th>
        <th scope="col">{aut('status')}</th><th scope="col">{aut('results')}</th>
      </tr></thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id} data-testid="automation-run" data-status={run.status}>
            <td>{dateTime(run.started_at)}</td>
            <td>{aut(`trigger_${run.trigger.type as string}` as never)} · {String(run.inputs.title ?? '')}</td>
            <td><span class={`tag ${run.status === 'succeeded' ? 'tag--won' : run.status === 'running' || run.status === 'waiting' ? '' : 'tag--lost'}`}>
              {aut(`status_${run.status}` as never)}</span>
              {run.status === 'waiting' && <span class="muted" data-testid="automation-waiting"> {waitingUntil(run)}</span>}</td>
            <td>
              <ul class="automations__results">
                {run.results.map((r, i) => (
                  <li key={i}>{aut(`action_${r.type as string}` as never)}: {r.ok
                    ? <span>{r.type === 'wait' ? '' : aut('ok')} {summary(r.result as Record<string, unknown> | undefined)}</span>
                    : <span class="error">{String(r.error ?? '')}</span>}</li>
                ))}
              </ul>
              {run.error && <p class="muted">{run.error}</p>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function summary(result: Record<string, unknown> | undefined): string {
  if (!result) return ''
  if (typeof result.title === 'string') return `“${result.title}”`
  if (typeof result.label === 'string') return result.label
  if (typeof result.skipped === 'string') return aut('notifySkipped')
  if (typeof result.until === 'string') return aut('waitingUntil', { time: dateTime(result.until) })
  if (typeof result.message === 'string') return `“${result.message}”`
  return ''
}

function waitingUntil(run: Run): string {
  const last = run.results[run.results.length - 1]?.result as Record<string, unknown> | undefined
  return typeof last?.until === 'string' ? aut('waitingUntil', { time: dateTime(last.until) }) : ''
}
