/**
 * Settings → Automations (issue 16): the workspace's rules, built with a form — a trigger (its type,
 * then what that type needs: a board and stage, a watched field, idle days, an activity type, a cron
 * schedule with a readable preview), conditions, then actions added from a menu, each with its own
 * inputs — never JSON. Admins add, edit (the same form, PATCH), duplicate, enable, disable and
 * delete rules; everyone in the workspace reads them and each rule's run log: when, what triggered
 * it and with which inputs, each action's result or error, and whether it waits, failed or was
 * stopped — with names (stages, people, rules), not ids.
 *
 * Selects whose options load later (a board's stages) keep the value chosen: the value shown and
 * saved is derived from the choice and the options at render time (`pick`), never reset by an
 * effect, so options refreshing while someone chooses cannot undo their choice.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, type Schemas } from '../../lib/api'
import { boards, memberName, members, workspaceId } from '../../lib/session'
import { dateTime, money, shortDate } from '../../lib/format'
import { Empty, Icon, Spinner, announce, toastError } from '../../components/ui'
import { useFieldDefinitions } from '../../components/CustomFields'
import { aut, locale } from '../../i18n'
import { ScheduleZone, browserZone, defaultZone } from './ScheduleZone'
import { ByExpertise, BY_EXPERTISE, byExpertiseOption, isByExpertise } from './ByExpertise'

// signing_secret: a rule with a call_webhook action answers the secret its requests are signed with, once
type Rule = Schemas['Automation'] & { signing_secret?: string | null }
type Run = Schemas['AutomationRun']
type Stage = { stage: string; name: string }
type Action = Record<string, unknown> & { type: string }
type Condition = { field: string; op: string; value: string }
type Json = Record<string, unknown>

const DEAL_TRIGGERS = ['deal_created', 'deal_stage_entered', 'deal_won', 'deal_lost', 'field_changed', 'deal_idle'] as const
const ACTIVITY_TRIGGERS = ['activity_due', 'activity_overdue'] as const
const RECORD_TRIGGERS = ['contact_created', 'organisation_created'] as const
const EMAIL_TRIGGERS = ['email_opened', 'link_clicked', 'email_replied'] as const
const TRIGGER_GROUPS = [
  ['group_deals', DEAL_TRIGGERS], ['group_activities', ACTIVITY_TRIGGERS], ['group_records', RECORD_TRIGGERS],
  ['group_email', EMAIL_TRIGGERS], ['group_time', ['schedule']],
] as const
const ACTIONS = ['create_task', 'move_deal', 'set_field', 'add_label', 'notify', 'send_template', 'call_webhook', 'wait'] as const
const DEAL_ACTIONS = ['create_task', 'move_deal', 'set_field', 'add_label']
const WATCHED = ['value', 'stage', 'status', 'title'] as const
const SETTABLE = ['title', 'value', 'expected_close'] as const
const STATUSES = ['open', 'won', 'lost'] as const
const ACTIVITY_TYPES = ['call', 'meeting', 'email', 'todo', 'deadline'] as const
const TEMPLATE = '{{deal.title}}'
const DEAL_CONDITION_FIELDS = ['value', 'title', 'status', 'owner', 'labels', 'currency', 'expected_close'] as const
const RECORD_CONDITION_FIELDS: Record<string, readonly string[]> = {
  contact_created: ['first_name', 'last_name', 'emails', 'phones', 'job_title', 'owner', 'labels', 'organisation'],
  organisation_created: ['name', 'website', 'emails', 'phones', 'owner', 'labels'],
}
const OPS = ['equals', 'not_equals', 'greater_than', 'less_than', 'contains', 'is_empty', 'is_not_empty'] as const
const DEAL_OWNER = 'deal_owner'
const ACTIVITY_ASSIGNEE = 'activity_assignee'
const ROUND_ROBIN = 'round_robin'
const ROUND_ROBIN_TEAM = 'round_robin_team'  // {"round_robin_team": team id}: the team's members at each run
const TEAM = 'team:'  // the assignee select's value for a team
type TeamRow = { id: string; name: string; members: { id: string; name: string }[] }
const NOBODY = ''

const isDealTrigger = (type: string) => (DEAL_TRIGGERS as readonly string[]).includes(type)
const isActivityTrigger = (type: string) => (ACTIVITY_TRIGGERS as readonly string[]).includes(type)
const isRecordTrigger = (type: string) => (RECORD_TRIGGERS as readonly string[]).includes(type)
const isEmailTrigger = (type: string) => (EMAIL_TRIGGERS as readonly string[]).includes(type)
type Template = { id: string; name: string; locale: string }
/** Whether a trigger's runs are about a deal (an activity's deal counts): deal actions apply. */
const hasDeal = (type: string) => isDealTrigger(type) || isActivityTrigger(type)
const value = (e: Event) => (e.target as HTMLInputElement).value
const label = (key: string) => aut(key as never)
/** An input's type chosen at run time (Preact's typings want a literal). */
const typed = (type: string) => ({ type }) as { type: 'text' }

/** The choice if the options hold it, else the first option: what a select shows and what is saved. */
function pick(choice: string, options: readonly string[]): string {
  return options.includes(choice) ? choice : options[0] ?? ''
}

// ---- stages of each pipeline board (names for the selects and the run log), loaded once per board

const stageLists = new Map<string, Promise<Stage[]>>()
function loadStages(board: string): Promise<Stage[]> {
  let found = stageLists.get(board)
  if (!found) {
    found = api<{ stages: Stage[] }>('GET', `/api/workspaces/${workspaceId.value}/pipeline-report?board=${board}`)
      .then((r) => r.stages)
    found.catch(() => stageLists.delete(board))
    stageLists.set(board, found)
  }
  return found
}

function useStages(board: string | undefined): Stage[] {
  const [stages, setStages] = useState<Stage[]>([])
  useEffect(() => {
    let current = true
    if (!board) { setStages([]); return }
    void loadStages(board).then((s) => { if (current) setStages(s) }, toastError)
    return () => { current = false }
  }, [board])
  return stages
}

// ---- the cron preview: cronstrue (and its German words) loaded only when a schedule is shown

type Describe = (cron: string, options: Record<string, unknown>) => string
let cronstrue: Promise<Describe> | null = null
function loadCronstrue(): Promise<Describe> {
  cronstrue ??= import('cronstrue').then(async (module) => {
    await import('cronstrue/locales/de')
    return (cron, options) => module.default.toString(cron, options)
  })
  return cronstrue
}

/** The schedule in words ("At 09:00, only on Monday"), or null with `invalid` when it is not one. */
function useCronText(cron: string | undefined): { text: string | null; invalid: boolean } {
  const [described, setDescribed] = useState<{ text: string | null; invalid: boolean }>({ text: null, invalid: false })
  const language = locale.value
  useEffect(() => {
    let current = true
    const trimmed = (cron ?? '').trim()
    if (!trimmed) { setDescribed({ text: null, invalid: false }); return }
    void loadCronstrue().then((describe) => {
      if (!current) return
      if (trimmed.split(/\s+/).length !== 5) { setDescribed({ text: null, invalid: true }); return }
      try {
        setDescribed({ text: describe(trimmed, { locale: language, use24HourTimeFormat: true,
          throwExceptionOnParseError: true }), invalid: false })
      } catch {
        setDescribed({ text: null, invalid: true })
      }
    }, () => setDescribed({ text: null, invalid: false }))
    return () => { current = false }
  }, [cron, language])
  return described
}

function CronText({ cron }: { cron: string }) {
  const { text } = useCronText(cron)
  return <>{text ?? cron}</>
}

// ---- the list

export function AutomationsSettings({ admin }: { admin: boolean }) {
  const ws = workspaceId.value!
  const base = `/api/workspaces/${ws}/automations`
  const [rules, setRules] = useState<Rule[] | null>(null)
  const [open, setOpen] = useState<string | null>(null)
  const [editing, setEditing] = useState<Rule | null>(null)
  const [secret, setSecret] = useState<{ id: string; name: string; secret: string } | null>(null)
  const shown = (rule: Rule) => { if (rule.signing_secret) setSecret({ id: rule.id, name: rule.name, secret: rule.signing_secret }) }
  async function load(): Promise<Rule[]> {
    try {
      const listed = await api<Rule[]>('GET', base)
      setRules(listed)
      return listed
    } catch (e) { toastError(e); return rules ?? [] }
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
      if (editing?.id === rule.id) setEditing(null)
      await load()
    } catch (e) { toastError(e) }
  }
  async function duplicate(rule: Rule) {
    try {
      const copy = await api<Rule>('POST', base, {
        name: aut('copyOf', { name: rule.name }).slice(0, 200), trigger: rule.trigger, actions: rule.actions,
        conditions: rule.conditions, enabled: false,
      })
      announce(aut('duplicated'))
      shown(copy)
      await load()
      setEditing(copy)
    } catch (e) { toastError(e) }
  }
  async function renewSecret(rule: Rule) {
    if (!confirm(aut('confirmNewSecret', { name: rule.name }))) return
    try {
      const made = await api<{ signing_secret: string }>('POST', `${base}/${rule.id}/signing-secret`)
      setSecret({ id: rule.id, name: rule.name, secret: made.signing_secret })
    } catch (e) { toastError(e) }
  }
  const names = Object.fromEntries(rules.map((r) => [r.id, r.name]))
  return (
    <div class="automations" data-testid="automation-settings">
      <p class="muted settings__help">{aut('help')}</p>
      {secret && (
        <div class="notice webhooks__secret" role="status" data-testid="automation-secret">
          <strong>{aut('secretTitle', { name: secret.name })}</strong>
          <p>{aut('secretOnce')}</p>
          <div class="row">
            <code data-testid="automation-secret-value">{secret.secret}</code>
            <button type="button" class="btn btn--small" onClick={() => {
              void navigator.clipboard?.writeText(secret.secret).then(() => announce(aut('copied')), toastError)
            }}><Icon name="check" size={14} />{aut('copy')}</button>
            <button type="button" class="btn btn--small" onClick={() => setSecret(null)}>{aut('done')}</button>
          </div>
        </div>
      )}
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
                <p class="muted" data-testid="automation-summary">
                  {aut('when')}: <TriggerText trigger={rule.trigger} /> → {rule.actions.map((a) => label(`action_${a.type as string}`)).join(', ')}
                </p>
                <div class="row automations__buttons">
                  {admin && <button type="button" class="btn btn--small" data-testid="automation-toggle"
                    onClick={() => void toggle(rule)}>{rule.enabled ? aut('disable') : aut('enable')}</button>}
                  {admin && <button type="button" class="btn btn--small" data-testid="automation-edit"
                    aria-label={aut('editNamed', { name: rule.name })} onClick={() => setEditing(rule)}>{aut('edit')}</button>}
                  {admin && <button type="button" class="btn btn--small" data-testid="automation-duplicate"
                    aria-label={aut('duplicateNamed', { name: rule.name })} onClick={() => void duplicate(rule)}>{aut('duplicate')}</button>}
                  {admin && rule.actions.some((a) => a.type === 'call_webhook') &&
                    <button type="button" class="btn btn--small" data-testid="automation-new-secret"
                      onClick={() => void renewSecret(rule)}>{aut('newSecret')}</button>}
                  <button type="button" class="btn btn--small" aria-expanded={open === rule.id} data-testid="automation-runs-button"
                    onClick={() => setOpen(open === rule.id ? null : rule.id)}>{aut('runLog')}</button>
                  {admin && <button type="button" class="btn btn--small btn--danger" data-testid="automation-delete"
                    aria-label={aut('deleteNamed', { name: rule.name })} onClick={() => void remove(rule)}>{aut('delete')}</button>}
                </div>
                {open === rule.id && <Runs rule={rule} names={names} />}
              </li>
            ))}
          </ul>
        )}
      </section>
      {admin && <Builder key={editing?.id ?? 'new'} base={base} rule={editing}
        onSaved={async (saved) => { shown(saved); setEditing(null); await load() }} onCancel={() => setEditing(null)} />}
    </div>
  )
}

function boardName(id: unknown): string {
  return boards.value.find((b) => b.id === id)?.name ?? ''
}

function fieldName(field: string, custom: Schemas['CustomField'][]): string {
  if (field.startsWith('custom:')) return custom.find((f) => f.id === field.slice(7))?.label ?? aut('customField')
  if (field.startsWith('fields.')) return custom.find((f) => f.key === field.slice(7))?.label ?? field.slice(7)
  return label(`field_${field}`)
}

/** A trigger in words, with the names of its board, stage and field. */
function TriggerText({ trigger }: { trigger: Json }) {
  const type = trigger.type as string
  const stages = useStages(type === 'deal_stage_entered' ? trigger.board as string : undefined)
  const custom = useFieldDefinitions(workspaceId.value!, 'deal')
  const parts = [label(`trigger_${type}`)]
  if (type === 'deal_stage_entered') parts.push(stages.find((s) => s.stage === trigger.stage)?.name ?? '…')
  if (type === 'field_changed') parts.push(fieldName(trigger.field as string, custom))
  if (type === 'deal_idle') parts.push(aut('forDays', { count: trigger.days as number }))
  if (type === 'activity_due' || type === 'activity_overdue') {
    parts.push(trigger.activity_type ? label(`activity_${trigger.activity_type as string}`) : aut('anyType'))
    if (type === 'activity_due' && trigger.before_minutes) parts.push(aut('minutesBefore', { count: trigger.before_minutes as number }))
  }
  const board = boardName(trigger.board)
  const zone = type === 'schedule' && trigger.time_zone ? ` (${(trigger.time_zone as string).replace(/_/g, ' ')})` : ''
  return <>{parts.join(' · ')}{type === 'schedule' && <> · <CronText cron={trigger.cron as string} />{zone}</>}{board && ` · ${board}`}</>
}

// ---- the form: a new rule, or a saved one opened for editing

type Draft = {
  name: string; type: string; board: string; stage: string; field: string; from: string; to: string
  days: number; activityType: string; beforeMinutes: number; cron: string; timeZone: string; urlContains: string
  conditions: Condition[]; actions: Action[]
}

function draftOf(rule: Rule | null, pipeline: string): Draft {
  const t = (rule?.trigger ?? {}) as Json
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v))
  return {
    name: rule?.name ?? '', type: (t.type as string) ?? 'deal_stage_entered', board: (t.board as string) ?? (rule ? '' : pipeline),  // saved without one: none
    stage: text(t.stage), field: (t.field as string) ?? 'value', from: text(t.from), to: text(t.to),
    days: (t.days as number) ?? 7, activityType: text(t.activity_type), beforeMinutes: (t.before_minutes as number) ?? 0,
    cron: (t.cron as string) ?? '0 9 * * 1', timeZone: (t.time_zone as string) ?? '', urlContains: text(t.url_contains),
    conditions: (rule?.conditions ?? []).map((c) => ({ field: c.field as string, op: c.op as string, value: text(c.value) })),
    actions: (rule?.actions ?? []).map((a) => {
      const action = { ...a } as Action
      if (a.type === 'call_webhook') action.payload = a.payload ? JSON.stringify(a.payload, null, 2) : ''
      return action
    }),
  }
}

function blank(type: string, triggerType: string): Action {
  switch (type) {
    case 'create_task': return { type, title: aut('defaultTaskTitle', { template: TEMPLATE }), assignee: DEAL_OWNER, due_in_days: 1 }
    case 'move_deal': return { type, stage: '' }
    case 'set_field': return { type, field: 'title', value: '' }
    case 'add_label': return { type, label: '' }
    case 'wait': return { type, days: 1 }
    case 'call_webhook': return { type, url: '', payload: '' }
    case 'send_template': return { type, template: '', track: false }
    default: return { type, user: hasDeal(triggerType) ? DEAL_OWNER : members.value[0]?.user.id ?? '', message: '' }
  }
}

function Builder({ base, rule, onSaved, onCancel }: {
  base: string; rule: Rule | null; onSaved: (saved: Rule) => Promise<void>; onCancel: () => void
}) {
  const ws = workspaceId.value!
  const pipelines = boards.value.filter((b) => b.kind === 'pipeline')
  const [draft, setDraft] = useState<Draft>(() => draftOf(rule, pipelines[0]?.id ?? ''))
  const [saving, setSaving] = useState(false)
  const nameInput = useRef<HTMLInputElement>(null)
  useEffect(() => {
    if (!rule) return
    nameInput.current?.focus()
    nameInput.current?.closest('section')?.scrollIntoView({ block: 'start' })
  }, [rule?.id])
  const update = (changes: Partial<Draft>) => setDraft((d) => ({ ...d, ...changes }))
  const { type } = draft
  const scheduled = type === 'schedule'
  const mail = isEmailTrigger(type)
  const boardIds = pipelines.map((b) => b.id)
  const board = scheduled || mail ? (boardIds.includes(draft.board) ? draft.board : '') : pick(draft.board, boardIds)
  const withDeal = hasDeal(type) || (mail && !!board)  // an e-mail rule with a board acts on the mail's deal there
  const aboutContact = isRecordTrigger(type) || (mail && !board)
  const [templates, setTemplates] = useState<Template[]>([])
  const [teams, setTeams] = useState<TeamRow[]>([])
  useEffect(() => {
    api<Template[]>('GET', `/api/workspaces/${ws}/email-templates`).then(setTemplates, () => setTemplates([]))
    api<TeamRow[]>('GET', `/api/workspaces/${ws}/teams`).then(setTeams, () => setTeams([]))
  }, [ws])
  useEffect(() => {  // a new schedule starts in its author's zone, else the browser's
    if (scheduled && !draft.timeZone) void defaultZone().then((zone) => setDraft((d) => (d.timeZone ? d : { ...d, timeZone: zone })))
  }, [scheduled, draft.timeZone])
  const stages = useStages(isRecordTrigger(type) || !board ? undefined : board)
  const stageIds = stages.map((s) => s.stage)
  const dealFields = useFieldDefinitions(ws, 'deal')
  const recordFields = useFieldDefinitions(ws, type === 'organisation_created' ? 'organisation' : 'contact')
  const cron = useCronText(scheduled ? draft.cron : undefined)
  const setAction = (i: number, changes: Json) =>
    setDraft((d) => ({ ...d, actions: d.actions.map((a, j) => (j === i ? { ...a, ...changes } : a)) }))
  const setCondition = (i: number, changes: Partial<Condition>) =>
    setDraft((d) => ({ ...d, conditions: d.conditions.map((c, j) => (j === i ? { ...c, ...changes } : c)) }))
  const watched = [...WATCHED, ...dealFields.map((f) => `custom:${f.id}`)]
  const conditionFields = aboutContact
    ? [...RECORD_CONDITION_FIELDS[mail ? 'contact_created' : type], ...recordFields.map((f) => `fields.${f.key}`)]
    : [...DEAL_CONDITION_FIELDS, ...dealFields.map((f) => `fields.${f.key}`)]
  const field = pick(draft.field, watched)
  const offered = ACTIONS.filter((a) => (withDeal || !DEAL_ACTIONS.includes(a))
    && !(a === 'send_template' && (scheduled || type === 'organisation_created')))

  function triggerBody(): Json {
    const trigger: Json = { type }
    if (!isRecordTrigger(type) && board) trigger.board = board
    if (type === 'deal_stage_entered') trigger.stage = pick(draft.stage, stageIds)
    if (type === 'field_changed') {
      trigger.field = field
      const end = (v: string) => (v === '' ? null : field === 'value' && !Number.isNaN(Number(v)) ? Number(v) : v)
      trigger.from = end(draft.from)
      trigger.to = end(draft.to)
    }
    if (type === 'deal_idle') trigger.days = draft.days
    if (isActivityTrigger(type)) trigger.activity_type = draft.activityType || null
    if (type === 'activity_due') trigger.before_minutes = draft.beforeMinutes
    if (scheduled) {
      trigger.cron = draft.cron.trim()
      trigger.time_zone = draft.timeZone || browserZone()
    }
    if (type === 'link_clicked' && draft.urlContains.trim()) trigger.url_contains = draft.urlContains.trim()
    return trigger
  }

  function actionsBody(): Json[] {
    return draft.actions.map((a) => {
      if (a.type === 'set_field' && a.field === 'value') return { ...a, value: Number(a.value) }
      if (a.type === 'move_deal') return { ...a, stage: pick(a.stage as string, stageIds) }
      if (a.type === 'send_template') return { ...a, template: pick(a.template as string, templates.map((x) => x.id)) }
      if (a.type === 'call_webhook') {
        const payload = (a.payload as string).trim()
        return { type: a.type, url: a.url, payload: payload ? JSON.parse(payload) as unknown : null }
      }
      return a
    })
  }

  function conditionsBody(): Json[] {
    return draft.conditions.map((c) => ({
      field: c.field, op: c.op,
      value: c.op === 'is_empty' || c.op === 'is_not_empty' ? null
        : (c.op === 'greater_than' || c.op === 'less_than' || c.field === 'value') && c.value !== '' && !Number.isNaN(Number(c.value))
          ? Number(c.value) : c.value,
    }))
  }

  async function save(e: Event) {
    e.preventDefault()
    let body: Json
    try {
      body = { name: draft.name, trigger: triggerBody(), actions: actionsBody(), conditions: scheduled ? [] : conditionsBody() }
    } catch {
      toastError(new Error(aut('payloadInvalid')))
      return
    }
    setSaving(true)
    try {
      const saved = rule ? await api<Rule>('PATCH', `${base}/${rule.id}`, body) : await api<Rule>('POST', base, body)
      announce(rule ? aut('updated') : aut('added'))
      if (!rule) setDraft(draftOf(null, board))
      await onSaved(saved)
    } catch (err) { toastError(err) } finally { setSaving(false) }
  }

  const stageSelect = (chosen: string, onChange: (v: string) => void, text: string, testid: string, any = false) => (
    <label class="field">
      <span class="field__label">{text}</span>
      <select value={any ? chosen : pick(chosen, stageIds)} data-testid={testid} onChange={(e) => onChange(value(e))}>
        {any && <option value="">{aut('any')}</option>}
        {stages.map((s) => <option key={s.stage} value={s.stage}>{s.name}</option>)}
      </select>
    </label>
  )
  const fieldEnd = (end: 'from' | 'to') => {
    const chosen = draft[end]
    const set = (v: string) => update({ [end]: v })
    if (field === 'stage') return stageSelect(chosen, set, aut(end), `automation-${end}`, true)
    if (field === 'status') return (
      <label class="field"><span class="field__label">{aut(end)}</span>
        <select value={chosen} data-testid={`automation-${end}`} onChange={(e) => set(value(e))}>
          <option value="">{aut('any')}</option>
          {STATUSES.map((s) => <option key={s} value={s}>{label(`state_${s}`)}</option>)}
        </select></label>)
    return (
      <label class="field"><span class="field__label">{aut(end)}</span>
        <input value={chosen} placeholder={aut('any')} data-testid={`automation-${end}`} {...typed(field === 'value' ? 'number' : 'text')}
          onInput={(e) => set(value(e))} /></label>)
  }
  const people = (chosen: unknown, onChange: (v: unknown) => void, text: string, options: { owner?: boolean; assignee?: boolean; nobody?: boolean; rotate?: boolean }) => {
    const team = typeof chosen === 'object' && chosen !== null ? (chosen as Json)[ROUND_ROBIN_TEAM] as string | undefined : undefined
    const skilled = isByExpertise(chosen)
    const rotating = typeof chosen === 'object' && chosen !== null && team === undefined && !skilled
    const shown = skilled ? BY_EXPERTISE : team !== undefined ? TEAM + team : rotating ? ROUND_ROBIN : chosen === null ? NOBODY : String(chosen ?? '')
    return (
      <>
        <label class="field">
          <span class="field__label">{text}</span>
          <select value={shown} data-testid="automation-person" onChange={(e) => {
            const v = value(e)
            onChange(v === BY_EXPERTISE ? byExpertiseOption() : v === ROUND_ROBIN ? { [ROUND_ROBIN]: members.value.slice(0, 2).map((m) => m.user.id) }
              : v.startsWith(TEAM) ? { [ROUND_ROBIN_TEAM]: v.slice(TEAM.length) } : v === NOBODY ? null : v)
          }}>
            {options.owner && <option value={DEAL_OWNER}>{aut('dealOwner')}</option>}
            {options.assignee && <option value={ACTIVITY_ASSIGNEE}>{aut('activityAssignee')}</option>}
            {options.nobody && <option value={NOBODY}>{aut('nobody')}</option>}
            {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
            {options.rotate && <option value={ROUND_ROBIN}>{aut('roundRobin')}</option>}
            {options.rotate && <ByExpertise.Option />}
            {options.rotate && <optgroup label={aut('roundRobinTeams')}>
              {teams.map((t) => <option key={t.id} value={TEAM + t.id}>{aut('roundRobinTeam', { team: t.name })}</option>)}
              {team !== undefined && !teams.some((t) => t.id === team) && <option value={TEAM + team}>{aut('roundRobinTeam', { team: '…' })}</option>}
              {!teams.length && <option disabled value="">{aut('noTeams')}</option>}
            </optgroup>}
          </select>
        </label>
        {team !== undefined && <p class="muted" data-testid="automation-team-members">
          {aut('teamMembersNow', { names: (teams.find((t) => t.id === team)?.members ?? []).map((m) => m.name).join(', ') || '—' })}</p>}
        {skilled && <ByExpertise chosen={chosen} onChange={onChange} />}
        {rotating && <fieldset class="automations__people" data-testid="automation-round-robin">
          <legend>{aut('roundRobinWho')}</legend>
          {members.value.map((m) => {
            const ids = (chosen as Record<string, string[]>)[ROUND_ROBIN] ?? []
            return (
              <label key={m.user.id} class="webhooks__event">
                <input type="checkbox" checked={ids.includes(m.user.id)} onChange={(e) => {
                  const on = (e.target as HTMLInputElement).checked
                  onChange({ [ROUND_ROBIN]: on ? [...ids, m.user.id] : ids.filter((id) => id !== m.user.id) })
                }} />{m.user.name}</label>
            )
          })}
        </fieldset>}
      </>
    )
  }

  return (
    <section class="settings__group" aria-labelledby="automations-add">
      <h3 id="automations-add">{rule ? aut('editRule', { name: rule.name }) : aut('add')}</h3>
      <form class="automations__form" data-testid="automation-builder" data-editing={rule?.id} onSubmit={(e) => void save(e)}>
        <label class="field">
          <span class="field__label">{aut('name')}</span>
          <input ref={nameInput} required maxLength={200} value={draft.name} data-testid="automation-name"
            onInput={(e) => update({ name: value(e) })} />
        </label>
        <fieldset class="automations__part">
          <legend>{aut('trigger')}</legend>
          <label class="field">
            <span class="field__label">{aut('when')}</span>
            <select value={type} data-testid="automation-trigger"
              onChange={(e) => update({ type: value(e), ...(value(e) === 'schedule' || isEmailTrigger(value(e)) ? { board: '' } : {}) })}>
              {TRIGGER_GROUPS.map(([group, types]) => (
                <optgroup key={group} label={label(group)}>
                  {types.map((t) => <option key={t} value={t}>{label(`trigger_${t}`)}</option>)}
                </optgroup>
              ))}
            </select>
          </label>
          {!isRecordTrigger(type) && <label class="field">
            <span class="field__label">{aut('board')}</span>
            <select value={board} data-testid="automation-board" onChange={(e) => update({ board: value(e) })}>
              {scheduled && <option value="">{aut('noBoard')}</option>}
              {mail && <option value="">{aut('anyDeal')}</option>}
              {pipelines.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
            </select>
          </label>}
          {isRecordTrigger(type) && <p class="muted">{aut('recordHint')}</p>}
          {mail && <p class="muted">{aut('emailHint')}</p>}
          {type === 'link_clicked' && <label class="field"><span class="field__label">{aut('urlContains')}</span>
            <input maxLength={500} value={draft.urlContains} placeholder={aut('any')} data-testid="automation-url-contains"
              onInput={(e) => update({ urlContains: value(e) })} /></label>}
          {type === 'deal_stage_entered' && stageSelect(draft.stage, (v) => update({ stage: v }), aut('stage'), 'automation-stage')}
          {type === 'field_changed' && <>
            <label class="field">
              <span class="field__label">{aut('field')}</span>
              <select value={field} data-testid="automation-field" onChange={(e) => update({ field: value(e), from: '', to: '' })}>
                {watched.map((f) => <option key={f} value={f}>{fieldName(f, dealFields)}</option>)}
              </select>
            </label>
            <div class="automations__wait">{fieldEnd('from')}{fieldEnd('to')}</div>
          </>}
          {type === 'deal_idle' && <label class="field"><span class="field__label">{aut('idleDays')}</span>
            <input type="number" required min={1} max={365} value={draft.days} data-testid="automation-idle-days"
              onInput={(e) => update({ days: Number(value(e)) })} />
            <span class="field__hint">{aut('idleHint')}</span></label>}
          {isActivityTrigger(type) && <div class="automations__wait">
            <label class="field"><span class="field__label">{aut('activityType')}</span>
              <select value={draft.activityType} data-testid="automation-activity-type" onChange={(e) => update({ activityType: value(e) })}>
                <option value="">{aut('anyType')}</option>
                {ACTIVITY_TYPES.map((a) => <option key={a} value={a}>{label(`activity_${a}`)}</option>)}
              </select></label>
            {type === 'activity_due' && <label class="field"><span class="field__label">{aut('beforeMinutes')}</span>
              <input type="number" min={0} max={10080} value={draft.beforeMinutes} data-testid="automation-before-minutes"
                onInput={(e) => update({ beforeMinutes: Number(value(e)) })} /></label>}
          </div>}
          {scheduled && <label class="field"><span class="field__label">{aut('cron')}</span>
            <input required value={draft.cron} data-testid="automation-cron" spellcheck={false} autocomplete="off"
              aria-invalid={cron.invalid} aria-describedby="automation-cron-preview"
              onInput={(e) => update({ cron: value(e) })} />
            <span class={`field__hint${cron.invalid ? ' error' : ''}`} id="automation-cron-preview" data-testid="automation-cron-preview"
              aria-live="polite">{cron.invalid ? aut('cronInvalid') : cron.text ?? aut('cronHint')}</span></label>}
          {scheduled && <ScheduleZone base={base} cron={cron.invalid ? '' : draft.cron} zone={draft.timeZone || browserZone()}
            onZone={(zone) => update({ timeZone: zone })} />}
        </fieldset>
        {!scheduled && <fieldset class="automations__part" data-testid="automation-conditions">
          <legend>{aut('conditions')}</legend>
          {draft.conditions.length === 0 && <p class="muted">{mail ? aut('noConditionsMail') : aboutContact ? aut('noConditionsRecord') : aut('noConditions')}</p>}
          {draft.conditions.map((c, i) => (
            <div key={i} class="automations__condition" data-testid="automation-condition">
              <select aria-label={aut('field')} value={pick(c.field, conditionFields)} onChange={(e) => setCondition(i, { field: value(e) })}>
                {conditionFields.map((f) => <option key={f} value={f}>{fieldName(f, aboutContact ? recordFields : dealFields)}</option>)}
              </select>
              <select aria-label={aut('operator')} value={c.op} onChange={(e) => setCondition(i, { op: value(e) })}>
                {OPS.map((o) => <option key={o} value={o}>{label(`op_${o}`)}</option>)}
              </select>
              {c.op !== 'is_empty' && c.op !== 'is_not_empty' &&
                <input aria-label={aut('value')} required value={c.value} onInput={(e) => setCondition(i, { value: value(e) })} />}
              <button type="button" class="btn btn--small" aria-label={aut('removeCondition')}
                onClick={() => update({ conditions: draft.conditions.filter((_, j) => j !== i) })}><Icon name="close" size={14} /></button>
            </div>
          ))}
          <button type="button" class="btn btn--small" data-testid="automation-add-condition"
            onClick={() => update({ conditions: [...draft.conditions, aboutContact
              ? { field: conditionFields[0], op: 'contains', value: '' } : { field: 'value', op: 'greater_than', value: '' }] })}>
            <Icon name="plus" size={14} />{aut('addCondition')}</button>
        </fieldset>}
        <fieldset class="automations__part">
          <legend>{aut('actions')}</legend>
          {draft.actions.length === 0 && <p class="muted">{aut('noActions')}</p>}
          <ol class="automations__actions">
            {draft.actions.map((a, i) => (
              <li key={i} class="automations__action" data-testid="automation-action" data-type={a.type}>
                <div class="webhooks__head">
                  <strong>{i + 1}. {label(`action_${a.type}`)}</strong>
                  <button type="button" class="btn btn--small" aria-label={aut('removeActionNumbered', { number: i + 1 })}
                    onClick={() => update({ actions: draft.actions.filter((_, j) => j !== i) })}><Icon name="close" size={14} /></button>
                </div>
                {!withDeal && DEAL_ACTIONS.includes(a.type) && <p class="error" role="alert">{aut('needsDeal')}</p>}
                {a.type === 'create_task' && <>
                  <label class="field"><span class="field__label">{aut('taskTitle')}</span>
                    <input required maxLength={500} value={a.title as string} data-testid="automation-task-title"
                      onInput={(e) => setAction(i, { title: value(e) })} /></label>
                  <p class="muted">{aut('templateHint', { template: TEMPLATE })}</p>
                  {people(a.assignee, (v) => setAction(i, { assignee: v }), aut('assignee'), { owner: true, nobody: true, rotate: true })}
                  <label class="field"><span class="field__label">{aut('dueInDays')}</span>
                    <input type="number" min={0} max={3650} value={a.due_in_days as number}
                      onInput={(e) => setAction(i, { due_in_days: value(e) === '' ? null : Number(value(e)) })} /></label>
                </>}
                {a.type === 'move_deal' && stageSelect(a.stage as string, (v) => setAction(i, { stage: v }), aut('toStage'), 'automation-move-stage')}
                {a.type === 'set_field' && <>
                  <label class="field"><span class="field__label">{aut('field')}</span>
                    <select value={a.field as string} onChange={(e) => setAction(i, { field: value(e), value: '' })}>
                      {SETTABLE.map((f) => <option key={f} value={f}>{label(`field_${f}`)}</option>)}
                    </select></label>
                  <label class="field"><span class="field__label">{aut('value')}</span>
                    <input required value={a.value as string} maxLength={500}
                      {...typed(a.field === 'value' ? 'number' : a.field === 'expected_close' ? 'date' : 'text')} min={a.field === 'value' ? 0 : undefined}
                      onInput={(e) => setAction(i, { value: value(e) })} /></label>
                </>}
                {a.type === 'add_label' && <label class="field"><span class="field__label">{aut('label')}</span>
                  <input required maxLength={100} value={a.label as string} onInput={(e) => setAction(i, { label: value(e) })} /></label>}
                {a.type === 'notify' && <>
                  {people(a.user, (v) => setAction(i, { user: v }), aut('notifyWho'), { owner: withDeal, assignee: isActivityTrigger(type) })}
                  <label class="field"><span class="field__label">{aut('message')}</span>
                    <input required maxLength={500} value={a.message as string} data-testid="automation-notify-message"
                      onInput={(e) => setAction(i, { message: value(e) })} /></label>
                  <p class="muted">{hasDeal(type) && aut('templateHint', { template: TEMPLATE })} {aut('notifyHint')}</p>
                </>}
                {a.type === 'send_template' && <>
                  {templates.length === 0 ? <p class="muted">{aut('noTemplates')}</p> :
                    <label class="field"><span class="field__label">{aut('template')}</span>
                      <select value={pick(a.template as string, templates.map((x) => x.id))} data-testid="automation-template"
                        onChange={(e) => setAction(i, { template: value(e) })}>
                        {templates.map((x) => <option key={x.id} value={x.id}>{x.name} ({x.locale})</option>)}
                      </select></label>}
                  <label class="webhooks__event"><input type="checkbox" checked={!!a.track} data-testid="automation-template-track"
                    onChange={(e) => setAction(i, { track: (e.target as HTMLInputElement).checked })} />{aut('trackTemplate')}</label>
                  <p class="muted">{aut('sendTemplateHint')}</p>
                </>}
                {a.type === 'call_webhook' && <>
                  <label class="field"><span class="field__label">{aut('webhookUrl')}</span>
                    <input required type="url" maxLength={2000} value={a.url as string} placeholder="https://" data-testid="automation-webhook-url"
                      onInput={(e) => setAction(i, { url: value(e) })} /></label>
                  <label class="field"><span class="field__label">{aut('webhookPayload')}</span>
                    <textarea rows={3} value={a.payload as string} spellcheck={false} data-testid="automation-webhook-payload"
                      onInput={(e) => setAction(i, { payload: (e.target as HTMLTextAreaElement).value })} />
                    <span class="field__hint">{aut('webhookHint')}</span></label>
                </>}
                {a.type === 'wait' && <div class="automations__wait">
                  <label class="field"><span class="field__label">{aut('waitFor')}</span>
                    <input required type="number" min={1} max={a.hours !== undefined ? 8760 : 365} data-testid="automation-wait-amount"
                      value={(a.hours ?? a.days) as number}
                      onInput={(e) => setAction(i, a.hours !== undefined ? { hours: Number(value(e)) } : { days: Number(value(e)) })} /></label>
                  <label class="field"><span class="field__label">{aut('waitUnit')}</span>
                    <select value={a.hours !== undefined ? 'hours' : 'days'} onChange={(e) => {
                      const n = (a.hours ?? a.days) as number
                      const next: Action = value(e) === 'hours' ? { type: 'wait', hours: n } : { type: 'wait', days: n }
                      update({ actions: draft.actions.map((x, j) => (j === i ? next : x)) })
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
              const chosen = value(e)
              if (chosen) update({ actions: [...draft.actions, blank(chosen, type)] })
            }}>
              <option value="">{aut('chooseAction')}</option>
              {offered.map((t) => <option key={t} value={t}>{label(`action_${t}`)}</option>)}
            </select>
          </label>
        </fieldset>
        <div class="row automations__buttons">
          <button class="btn btn--primary btn--small" data-testid="automation-save" disabled={!draft.actions.length || saving}>
            <Icon name={rule ? 'check' : 'plus'} size={16} />{rule ? aut('saveChanges') : aut('addButton')}</button>
          {rule && <button type="button" class="btn btn--small" data-testid="automation-cancel" onClick={onCancel}>{aut('cancel')}</button>}
        </div>
      </form>
    </section>
  )
}

// ---- the run log

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const STATUS_TAG: Record<string, string> = { succeeded: 'tag--won', failed: 'tag--lost', stopped: 'tag--lost' }
// What the run's inputs name, in the order shown (the deal's, then its activity's, contact's or
// organisation's); ids (card, board, activity id, ...) are left out.
const DEAL_INPUTS = ['title', 'stage', 'value', 'owner', 'status', 'labels'] as const
const NESTED_INPUTS: Record<string, readonly string[]> = {
  activity: ['title', 'type', 'assignee', 'due'],
  contact: ['first_name', 'last_name', 'emails', 'phones', 'job_title', 'owner', 'labels'],
  organisation: ['name', 'website', 'emails', 'phones', 'owner', 'labels'],
}
const filled = (v: unknown) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)

function Runs({ rule, names }: { rule: Rule; names: Record<string, string> }) {
  const [runs, setRuns] = useState<Run[] | null>(null)
  const stages = useStages(rule.trigger.board as string | undefined)
  const custom = useFieldDefinitions(workspaceId.value!, 'deal')
  async function load() {
    try { setRuns(await api<Run[]>('GET', rule.runs)) } catch (e) { toastError(e) }
  }
  useEffect(() => { void load() }, [rule.runs])
  // a run under way is looked at again shortly (a waiting one may wait for days: no polling for it)
  const underway = runs?.some((r) => r.status === 'running') ?? false
  useEffect(() => {
    if (!underway) return
    const timer = setTimeout(() => void load(), 3000)
    return () => clearTimeout(timer)
  }, [runs])
  // names, not ids: wait for the board's stages too (a board always has some)
  if (!runs || (rule.trigger.board && stages.length === 0)) return <Spinner />
  const stageName = (id: unknown) => stages.find((s) => s.stage === id)?.name ?? String(id ?? '')
  /** A value as a person reads it: a member's or stage's name for an id, a date, a list. */
  const readable = (key: string, v: unknown): string => {
    if (v === null || v === undefined || v === '') return '—'
    if (Array.isArray(v)) return v.map((x) => readable(key, x)).join(', ') || '—'
    if (typeof v === 'object') return JSON.stringify(v)
    if (key === 'stage' || key === 'from_stage' || key === 'to_stage') return stageName(v)
    if (key === 'status') return label(`state_${String(v)}`)
    if (key === 'type' && ACTIVITY_TYPES.includes(v as never)) return label(`activity_${String(v)}`)
    if (key === 'due') return String(v).length > 10 ? dateTime(String(v)) : shortDate(String(v))
    if (typeof v === 'string' && UUID_RE.test(v)) {
      if (stages.some((s) => s.stage === v)) return stageName(v)
      if (names[v]) return names[v]
      return memberName(v)
    }
    return String(v)
  }
  const change = (t: Json) => {
    const f = t.field as string
    const end = (v: unknown) => (v === null || v === undefined ? '—' : f === 'stage' ? stageName(v) : f === 'status' ? label(`state_${String(v)}`) : String(v))
    return aut('changed', { field: fieldName(f, custom), from: end(t.from), to: end(t.to) })
  }
  const triggered = (run: Run) => {
    const t = run.trigger as Json
    const parts = [label(`trigger_${t.type as string}`)]
    if (t.type === 'deal_stage_entered') parts.push(stageName(t.stage))
    if (t.type === 'field_changed') parts.push(change(t))
    if (t.type === 'deal_idle' && t.days) parts.push(aut('forDays', { days: t.days as number }))
    if (typeof t.due === 'string') parts.push(aut('dueOn', { date: readable('due', t.due) }))
    if (typeof t.tick === 'string') parts.push(aut('tickAt', { time: dateTime(t.tick) }))
    if (t.author && !t.caused_by_rule && !names[t.author as string]) parts.push(aut('by', { name: memberName(t.author as string) }))
    if (t.caused_by_rule) parts.push(aut('causedBy', { name: names[t.caused_by_rule as string] ?? aut('anotherRule') }))
    if (run.depth) parts.push(aut('depth', { depth: run.depth }))
    return parts.join(' · ')
  }
  const result = (r: Json): string => {
    const out = (r.result ?? {}) as Json
    const bits: string[] = []
    if (typeof out.title === 'string') bits.push(aut('quoted', { text: out.title }))
    if (r.type === 'create_task') {
      bits.push(out.assignee ? aut('assignedTo', { name: memberName(out.assignee as string) }) : aut('unassigned'))
      if (out.due) bits.push(aut('dueOn', { date: shortDate(out.due as string) }))
      if (typeof out.note === 'string') bits.push(out.note) // by expertise: who and why, or the fallback
    }
    if (r.type === 'move_deal') bits.push(`${stageName(out.from)} → ${stageName(out.to)}`)
    if (r.type === 'set_field') bits.push(`${fieldName(out.field as string, custom)}: ${readable('', out.from)} → ${readable('', out.to)}`)
    if (typeof out.label === 'string') bits.push(out.label)
    if (r.type === 'notify') {
      if (typeof out.message === 'string') bits.push(aut('quoted', { text: out.message }))
      if (out.user) bits.push(aut('toPerson', { name: memberName(out.user as string) }))
      if (typeof out.skipped === 'string') bits.push(aut('notifySkipped'))
    }
    if (r.type === 'call_webhook' && typeof out.url === 'string') bits.push(out.url)
    if (r.type === 'send_template' && typeof out.to === 'string') bits.push(aut('sentTo', { address: out.to }))
    if (r.type === 'call_webhook' && out.status !== undefined) bits.push(aut('answered', { status: String(out.status) }))
    if (typeof out.until === 'string') bits.push(aut('waitingUntil', { time: dateTime(out.until) }))
    if (out.already) bits.push(`(${aut('already')})`)
    return bits.join(' · ')
  }
  return (
    <div class="automations__log" data-testid="automation-runs">
      <div class="webhooks__head">
        <h4 class="automations__log-title">{aut('runLog')}</h4>
        <button type="button" class="btn btn--small" data-testid="automation-runs-refresh" onClick={() => void load()}>{aut('refresh')}</button>
      </div>
      {!runs.length ? <p class="muted">{aut('noRuns')}</p> : (
        <ol class="automations__runs">
          {runs.map((run) => {
            const inputs: [string, string][] = DEAL_INPUTS.filter((k) => filled(run.inputs[k])).map((k) => [label(`input_${k}`),
              k === 'value' && typeof run.inputs.value === 'number'
                ? money(run.inputs.value, (run.inputs.currency as string) || 'EUR') : readable(k, run.inputs[k])])
            for (const [group, keys] of Object.entries(NESTED_INPUTS)) {
              const nested = run.inputs[group] as Json | undefined
              if (!nested || typeof nested !== 'object') continue
              for (const k of keys.filter((key) => filled(nested[key]))) {
                inputs.push([`${label(`input_${group}`)}: ${label(`input_${k}`)}`, readable(k, nested[k])])
              }
            }
            return (
              <li key={run.id} class="automations__run" data-testid="automation-run" data-status={run.status}>
                <div class="webhooks__head">
                  <span class={`tag ${STATUS_TAG[run.status] ?? ''}`}>{label(`status_${run.status}`)}</span>
                  <time dateTime={run.started_at}>{dateTime(run.started_at)}</time>
                </div>
                <p class="automations__trigger">{triggered(run)}</p>
                {inputs.length > 0 && <dl class="automations__inputs" aria-label={aut('inputs')}>
                  {inputs.map(([term, text]) => (
                    <div key={term}>
                      <dt>{term}</dt>
                      <dd>{text}</dd>
                    </div>
                  ))}
                </dl>}
                {run.results.length > 0 && <ol class="automations__results" aria-label={aut('results')}>
                  {run.results.map((r, i) => (
                    <li key={i} data-ok={String(r.ok)}>
                      <strong>{label(`action_${r.type as string}`)}</strong>{': '}
                      {r.ok ? <span>{r.type === 'wait' ? '' : `${aut('ok')} `}{result(r)}</span>
                        : <span class="error">{aut('actionFailed')}: {String(r.error ?? '')}</span>}
                    </li>
                  ))}
                </ol>}
                {run.status === 'waiting' && <p class="muted" data-testid="automation-waiting">{aut('waitingHint')}</p>}
                {run.error && <p class={run.status === 'failed' ? 'error' : 'muted'} data-testid="automation-run-error">{run.error}</p>}
              </li>
            )
          })}
        </ol>
      )}
    </div>
  )
}
