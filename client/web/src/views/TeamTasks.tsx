/**
 * The team to-do list (issue 18): everyone's activities on the boards I reach, filtered by
 * assignee (me / anyone / nobody / a colleague), type, when due (overdue, today, this week, no
 * date) and done; above it the workload strip — per member, open activities this week, overdue
 * ones and hours booked — so a manager hands new work to whoever has room, reassigning from the
 * list. From `GET /api/workspaces/{id}/team-tasks`; ticking off and reassigning are activity edits
 * (`PATCH /api/boards/{board}/activities/{id}`). Live: the projection notes `activities:<board>`
 * in the workspace document's `changes` map, and the list refetches (and on focus).
 */
import { useEffect, useMemo, useState } from 'preact/hooks'
import { get, patch, type Schemas } from '../lib/api'
import { boards, me, members, workspaceId } from '../lib/session'
import { useSyncedDoc } from '../lib/ydocs'
import { watchChanges } from '../lib/records'
import { dueDay, todayIso } from '../lib/format'
import { browserZone, isoToWall } from '../lib/calendar'
import { scoped, t } from '../i18n'
import { Empty, Icon, Spinner, announce, toastError } from '../components/ui'
import { SuggestedPersonSelect } from '../components/SuggestedAssignee'
import { expertise, loadExpertise } from '../lib/expertise'
import './activities.css'

type Answer = Schemas['TeamTasks']
type Task = Schemas['TeamTask']
const tt = scoped('teamTasks')
const et = scoped('expertise')
const TYPES = ['call', 'meeting', 'email', 'todo', 'deadline'] as const
const DUES = ['any', 'overdue', 'today', 'week', 'none'] as const
const WEEK_HOURS = 40 // a bar is full at the person's own working week (Settings › Calendar); 40 if unknown

export function TeamTasksPage() {
  const ws = workspaceId.value
  const [assignee, setAssignee] = useState('anyone')
  const [type, setType] = useState('')
  const [due, setDue] = useState<(typeof DUES)[number]>('any')
  const [done, setDone] = useState(false)
  const [skill, setSkill] = useState('') // an expertise tag: only the work of those who have it
  const needs = useMemo(() => (skill ? [skill] : []), [skill])
  const [answer, setAnswer] = useState<Answer | null>(null)
  const [error, setError] = useState('')
  const [changed, setChanged] = useState(0)
  const live = useSyncedDoc(ws ? `workspace:${ws}` : null)
  useEffect(() => live ? watchChanges(live.doc, (keys) => {
    if (keys.some((k) => k.startsWith('activities:'))) setChanged((n) => n + 1)
  }) : undefined, [live])
  useEffect(() => {
    const onFocus = () => setChanged((n) => n + 1)
    window.addEventListener('focus', onFocus)
    return () => window.removeEventListener('focus', onFocus)
  }, [])
  useEffect(() => {
    if (!ws) return
    let current = true
    const q = new URLSearchParams({ today: todayIso(), assignee, due, done: String(done) })
    if (type) q.set('type', type)
    if (skill) q.set('expertise', skill)
    get<Answer>(`/api/workspaces/${ws}/team-tasks?${q}`).then((a) => { if (current) { setAnswer(a); setError('') } },
      (e) => current && setError(e instanceof Error ? e.message : String(e)))
    return () => { current = false }
  }, [ws, assignee, type, due, done, changed, skill])
  useEffect(() => { if (ws) loadExpertise(ws).catch(() => undefined) }, [ws])
  const skills = expertise.value?.workspace === ws ? expertise.value?.overview.tags ?? [] : []

  const filtered = assignee !== 'anyone' || type !== '' || due !== 'any' || skill !== ''
  return (
    <div class="page-narrow team-tasks">
      <header class="page-header">
        <div class="page-header__title"><h1>{tt('title')}</h1></div>
        <a class="btn btn--ghost" href={`/w/${ws}/tasks`}>{t('tasks.title')}</a>
      </header>
      {answer && <Workload answer={answer} chosen={assignee} onPick={(id) => setAssignee(id === assignee ? 'anyone' : id)} />}
      <form class="team-tasks__filters" role="search" aria-label={tt('filters')} onSubmit={(e) => e.preventDefault()}>
        <label class="field"><span class="field__label">{tt('assignee')}</span>
          <select aria-label={tt('assignee')} value={assignee} onChange={(e) => setAssignee((e.target as HTMLSelectElement).value)}>
            <option value="anyone">{tt('anyone')}</option>
            <option value="me">{tt('me')}</option>
            <option value="nobody">{tt('nobody')}</option>
            {members.value.filter((m) => m.user.id !== me.value?.id).map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
          </select>
        </label>
        <label class="field"><span class="field__label">{tt('type')}</span>
          <select aria-label={tt('type')} value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
            <option value="">{tt('anyType')}</option>
            {TYPES.map((k) => <option key={k} value={k}>{t(`activityType.${k}`)}</option>)}
          </select>
        </label>
        <label class="field"><span class="field__label">{tt('due')}</span>
          <select aria-label={tt('due')} value={due} onChange={(e) => setDue((e.target as HTMLSelectElement).value as typeof due)}>
            {DUES.map((d) => <option key={d} value={d}>{tt(`due_${d}`)}</option>)}
          </select>
        </label>
        {skills.length > 0 && (
          <label class="field"><span class="field__label">{et('filter')}</span>
            <select aria-label={et('filter')} value={skill} data-testid="expertise-filter"
              onChange={(e) => setSkill((e.target as HTMLSelectElement).value)}>
              <option value="">{et('anyExpertise')}</option>
              {skills.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select>
          </label>
        )}
        <label class="checkbox team-tasks__done">
          <input type="checkbox" checked={done} onChange={(e) => setDone((e.target as HTMLInputElement).checked)} />
          <span>{tt('showDone')}</span>
        </label>
      </form>
      {error ? <p class="form-error" role="alert">{error}</p>
        : answer === null ? <Spinner label={tt('loading')} />
          : answer.tasks.length === 0
            ? <Empty title={filtered ? tt('emptyFiltered') : tt('emptyTitle')} icon="✓">{tt('emptyBody')}</Empty>
            : (
              <ul class="task-list team-tasks__list" aria-label={tt('listLabel', { count: answer.tasks.length })}>
                {answer.tasks.map((task) => <TeamRow key={task.id} task={task} today={answer.as_of} needs={needs}
                  onChanged={() => setChanged((n) => n + 1)} />)}
              </ul>
            )}
    </div>
  )
}

function Workload({ answer, chosen, onPick }: { answer: Answer; chosen: string; onPick: (id: string) => void }) {
  return (
    <section class="workload" aria-labelledby="workload-title" data-testid="workload">
      <h2 id="workload-title" class="workload__title">{tt('workload')}</h2>
      <ul class="workload__people">
        {answer.workload.map((w) => (
          <li key={w.person}>
            <button type="button" class={`workload__person${chosen === w.person ? ' is-on' : ''}`} aria-pressed={chosen === w.person}
              aria-label={tt('loadLabel', { name: w.name, count: w.this_week, overdue: w.overdue, hours: fmtHours(w.hours), capacity: fmtHours(w.capacity) })}
              onClick={() => onPick(w.person)}>
              <span class="workload__name">{w.name}{w.person === me.value?.id ? ` ${tt('you')}` : ''}</span>
              <span class="workload__figures">
                <span>{tt('thisWeek', { count: w.this_week })}</span>
                {w.overdue > 0 && <span class="workload__overdue">{tt('overdue', { count: w.overdue })}</span>}
                <span>{tt('hoursOf', { hours: fmtHours(w.hours), capacity: fmtHours(w.capacity) })}</span>
              </span>
              <span class="workload__bar" aria-hidden="true">
                <span style={{ width: `${Math.min(100, (w.hours / (w.capacity || WEEK_HOURS)) * 100)}%` }} />
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}

function fmtHours(hours: number): string {
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(hours)
}

function TeamRow({ task, today, onChanged, needs }: { task: Task; today: string; onChanged: () => void; needs: string[] }) {
  const board = boards.value.find((b) => b.id === task.board)
  const writable = board?.access === 'write'
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState(task.done) // ticked at once; undone if the edit is refused
  useEffect(() => setDone(task.done), [task.done])
  async function change(values: Record<string, unknown>, said: string) {
    setBusy(true)
    if ('done' in values) setDone(values.done === true)
    try {
      await patch(`/api/boards/${task.board}/activities/${task.id}`, values)
      announce(said)
      onChanged()
    } catch (e) {
      setDone(task.done)
      toastError(e)
    } finally {
      setBusy(false)
    }
  }
  const when = task.day ? dueDay(task.day, today) : t('tasks.noDate')
  const time = task.start && !task.all_day ? ` · ${isoToWall(task.start, browserZone()).time}` : ''
  return (
    <li class={`task team-task${done ? ' is-done' : ''}`} data-testid="team-task">
      <input type="checkbox" id={`tt-${task.id}`} checked={done} disabled={busy || !writable}
        onChange={() => change({ done: !done }, done ? tt('reopened', { title: task.title }) : t('tasks.completed', { title: task.title }))} />
      <label for={`tt-${task.id}`} class="task__main">
        <span class="task__title"><Icon name={task.type} size={14} /> {task.title}{task.recurrence ? ' ↻' : ''}</span>
        <span class="task__meta">
          {task.card_title && <a href={`/w/${workspaceId.value}/boards/${task.board}/deals/${task.card}`}>{task.card_title}</a>}
          <span class="muted">{task.board_name}</span>
        </span>
      </label>
      <span class={`task__due${task.overdue ? ' is-overdue' : ''}`}>{when}{time}</span>
      <label class="team-task__assign">
        <span class="sr-only">{tt('assignTo', { title: task.title })}</span>
        <SuggestedPersonSelect compact label={tt('assignTo', { title: task.title })} value={task.assignee ?? ''}
          disabled={busy || !writable} board={task.board} card={task.card} needs={needs} nobody={tt('nobody')}
          onChange={(id) => {
            const to = id || null
            const name = members.value.find((m) => m.user.id === to)?.user.name ?? tt('nobody')
            void change({ assignee: to }, tt('reassigned', { title: task.title, name }))
          }} />
      </label>
    </li>
  )
}
