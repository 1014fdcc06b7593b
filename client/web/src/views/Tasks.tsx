/**
 * My tasks: open activities and work items assigned to me, grouped into overdue, today and
 * upcoming, from `GET /api/me/tasks` (the SQL projection of every board). Ticking a task off
 * edits its board document.
 */
import { useEffect, useMemo, useState } from 'preact/hooks'
import { get, type Schemas } from '../lib/api'
import { boards, workspaceId } from '../lib/session'
import { acquire, release, type SyncedDoc } from '../lib/ydocs'
import { setActivity, setCard } from '../lib/board'
import { dueDay, todayIso } from '../lib/format'
import { browserZone, isoToWall } from '../lib/calendar'
import { t } from '../i18n'
import { Empty, Icon, Spinner, announce, toastError } from '../components/ui'

type ApiTask = Schemas['ActivityTask'] | Schemas['WorkItemTask']

interface Task {
  id: string
  kind: ApiTask['kind']
  workspace: string
  board: string
  card: string
  cardTitle: string
  title: string
  type: string
  due: string
  /** A timed activity's start (issue 18): overdue from that instant, shown on this browser's clock. */
  at: string
  done: boolean
}

function fromApi(t: ApiTask): Task {
  return {
    id: t.id, kind: t.kind, workspace: t.workspace, board: t.board, card: t.card ?? '', cardTitle: t.card_title ?? '',
    title: t.title, type: t.type ?? 'todo', due: t.due_date ?? t.due_at ?? '', at: t.due_at ?? '', done: t.done,
  }
}

export function TasksPage() {
  const [tasks, setTasks] = useState<Task[] | null>(null)
  const [error, setError] = useState('')
  useEffect(() => {
    let live = true
    const load = () => get<Schemas['Tasks']>(`/api/me/tasks?today=${todayIso()}`).then((groups) => {
      const items = [...groups.overdue, ...groups.today, ...groups.upcoming, ...groups.unscheduled]
      if (live) setTasks(items.map(fromApi).filter((t) => t.workspace === workspaceId.value))
    }, (e) => live && setError(e instanceof Error ? e.message : String(e)))
    void load()
    const timer = setInterval(load, 2000)
    const onFocus = () => void load()
    window.addEventListener('focus', onFocus)
    return () => { live = false; clearInterval(timer); window.removeEventListener('focus', onFocus) }
  }, [workspaceId.value])

  return (
    <div class="page-narrow">
      <header class="page-header"><div class="page-header__title"><h1>{t('tasks.title')}</h1></div></header>
      {error ? <p class="form-error" role="alert">{error}</p>
        : tasks === null ? <Spinner label={t('tasks.loading')} />
          : <TaskGroups tasks={tasks.filter((t) => !t.done)} />}
    </div>
  )
}

function TaskGroups({ tasks }: { tasks: Task[] }) {
  const today = todayIso()
  const now = new Date().toISOString()
  const late = (task: Task) => (task.at ? task.at < now : !!task.due && task.due.slice(0, 10) < today)
  const groups = useMemo(() => { // titles are read at render (t), so a language switch needs no new memo
    const sorted = [...tasks].sort((a, b) => (a.due || '9999').localeCompare(b.due || '9999') || (a.at || '').localeCompare(b.at || '') || a.title.localeCompare(b.title))
    return [
      { id: 'overdue' as const, items: sorted.filter(late) },
      { id: 'today' as const, items: sorted.filter((task) => !late(task) && task.due.slice(0, 10) === today) },
      { id: 'upcoming' as const, items: sorted.filter((task) => !task.due || task.due.slice(0, 10) > today) },
    ]
  }, [tasks, today, now.slice(0, 16)])
  if (!tasks.length) return <Empty title={t('tasks.emptyTitle')} icon="✓">{t('tasks.emptyBody')}</Empty>
  return (
    <div class="task-groups">
      {groups.map((g) => (
        <section key={g.id} class={`task-group task-group--${g.id}`} aria-labelledby={`tg-${g.id}`} data-testid={`tasks-${g.id}`}>
          <h2 id={`tg-${g.id}`}>{t(`tasks.${g.id}`)} <span class="count">{g.items.length}</span></h2>
          {g.items.length === 0 ? <p class="muted">{g.id === 'overdue' ? t('tasks.noneOverdue') : g.id === 'today' ? t('tasks.noneToday') : t('tasks.noneUpcoming')}</p> : (
            <ul class="task-list">
              {g.items.map((t) => <TaskRow key={t.id} task={t} today={today} />)}
            </ul>
          )}
        </section>
      ))}
    </div>
  )
}

/** A task; ticked off, it stays (struck through) until the list next refreshes without it. */
function TaskRow({ task, today }: { task: Task; today: string }) {
  const board = boards.value.find((b) => b.id === task.board)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState(false)
  async function complete() {
    if (!board) return
    setBusy(true)
    setDone(true) // at once; undone if the board cannot be written
    const doc = acquire(board.document)
    try {
      await whenReady(doc)
      if (task.kind === 'work_item') setCard(doc.doc, task.id, { status: 'done' })
      else setActivity(doc.doc, task.id, { done: true })
      announce(t('tasks.completed', { title: task.title }))
    } catch (e) {
      setDone(false)
      toastError(e)
    } finally {
      release(doc)
      setBusy(false)
    }
  }
  const due = task.due.slice(0, 10)
  return (
    <li class={`task${done ? ' is-done' : ''}`} data-testid="task">
      <input type="checkbox" id={`task-${task.id}`} checked={done} disabled={busy || done || !board || board.access !== 'write'}
        onChange={complete} />
      <label for={`task-${task.id}`} class="task__main">
        <span class="task__title"><Icon name={task.type} size={14} /> {task.title}</span>
        <span class="task__meta">
          {task.cardTitle && board && <a href={`/w/${workspaceId.value}/boards/${board.id}/deals/${task.card}`}>{task.cardTitle}</a>}
          {board && <span class="muted">{board.name}</span>}
        </span>
      </label>
      <span class={`task__due${(task.at ? task.at < new Date().toISOString() : due && due < today) ? ' is-overdue' : ''}`}>
        {!due ? t('tasks.noDate') : dueDay(due, today)}{task.at ? ` · ${isoToWall(task.at, browserZone()).time}` : ''}
      </span>
    </li>
  )
}

/** Resolves once the server's state is in (or, offline after 5 s, what this device holds). */
export function whenReady(doc: SyncedDoc): Promise<void> {
  if (doc.synced.peek()) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop()
      if (doc.loaded.peek()) resolve()
      else reject(new Error(t('tasks.loadTimeout')))
    }, 5000)
    const stop = doc.synced.subscribe((synced) => {
      if (!synced) return
      clearTimeout(timer)
      queueMicrotask(() => stop())
      resolve()
    })
  })
}
