/**
 * My tasks: open activities assigned to me, grouped into overdue, today and upcoming. From
 * `GET /api/me/tasks` (the SQL projection of every board); while that endpoint is absent, read
 * live from the workspace's board documents instead. Ticking a task off edits its board document.
 */
import { useEffect, useMemo, useState } from 'preact/hooks'
import { ApiError, get } from '../lib/api'
import { boards, me, workspaceId, type Board } from '../lib/session'
import { acquire, release, useDocVersion, type SyncedDoc } from '../lib/ydocs'
import { readBoard, setActivity, setCard, type Activity } from '../lib/board'
import { addDays, shortDate, todayIso } from '../lib/format'
import { Empty, Icon, Spinner, announce, toastError } from '../components/ui'

interface Task {
  id: string
  kind: 'activity' | 'workItem'
  workspace: string
  board: string
  card: string
  cardTitle: string
  title: string
  type: string
  due: string
  done: boolean
}

const s = (v: unknown) => (v == null ? '' : String(v))

/** A task of `GET /api/me/tasks` (`{overdue, today, upcoming, unscheduled}`, each a list). */
function fromApi(raw: Record<string, unknown>): Task {
  return {
    id: s(raw.id), kind: raw.kind === 'workItem' ? 'workItem' : 'activity', workspace: s(raw.workspace),
    board: s(raw.board), card: s(raw.card), cardTitle: s(raw.cardTitle), title: s(raw.title),
    type: s(raw.type) || 'todo', due: s(raw.dueDate ?? raw.dueAt), done: raw.done === true,
  }
}

/** Board documents of the workspace, open while the page is: the live fallback and the way to tick tasks off. */
function useBoardDocs(list: Board[], enabled: boolean): Map<string, SyncedDoc> {
  const [docs, setDocs] = useState(new Map<string, SyncedDoc>())
  const key = list.map((b) => b.id).join(',')
  useEffect(() => {
    if (!enabled) return
    const opened = new Map(list.map((b) => [b.id, acquire(b.document)]))
    setDocs(opened)
    return () => opened.forEach(release)
  }, [key, enabled])
  return docs
}

export function TasksPage() {
  const [apiTasks, setApiTasks] = useState<Task[] | null | 'absent'>(null)
  const [error, setError] = useState('')
  useEffect(() => {
    let live = true
    const load = () => get<Record<string, unknown>>(`/api/me/tasks?today=${todayIso()}`).then((groups) => {
      const items = Object.values(groups).filter(Array.isArray).flat() as Record<string, unknown>[]
      if (live) setApiTasks(items.map(fromApi).filter((t) => t.workspace === workspaceId.value))
    }, (e) => {
      if (!live) return
      if (e instanceof ApiError && e.missing) setApiTasks('absent')
      else setError(e instanceof Error ? e.message : String(e))
    })
    void load()
    const timer = setInterval(load, 2000)
    const onFocus = () => void load()
    window.addEventListener('focus', onFocus)
    return () => { live = false; clearInterval(timer); window.removeEventListener('focus', onFocus) }
  }, [workspaceId.value])

  const docs = useBoardDocs(boards.value, apiTasks === 'absent')
  const [liveTasks, setLiveTasks] = useState<Task[]>([])
  return (
    <div class="page-narrow">
      <header class="page-header"><div class="page-header__title"><h1>My tasks</h1></div></header>
      {[...docs.entries()].map(([board, doc]) => <BoardTasks key={board} board={board} synced={doc} onTasks={(tasks) =>
        setLiveTasks((old) => [...old.filter((t) => t.board !== board), ...tasks])} />)}
      {error ? <p class="form-error" role="alert">{error}</p>
        : apiTasks === null ? <Spinner label="Loading tasks" />
          : <TaskGroups tasks={(apiTasks === 'absent' ? liveTasks : apiTasks).filter((t) => !t.done)} />}
    </div>
  )
}

function BoardTasks({ board, synced, onTasks }: { board: string; synced: SyncedDoc; onTasks: (tasks: Task[]) => void }) {
  const version = useDocVersion(synced.doc)
  useEffect(() => {
    const state = readBoard(synced.doc)
    onTasks(state.activities.filter((a: Activity) => a.assignee === me.value?.id).map((a) => ({
      id: a.id, kind: 'activity' as const, workspace: workspaceId.value ?? '', board, card: a.card, cardTitle: state.cards.get(a.card)?.title ?? '', title: a.title, type: a.type, due: a.due, done: a.done,
    })))
  }, [version])
  return null
}

function TaskGroups({ tasks }: { tasks: Task[] }) {
  const today = todayIso()
  const groups = useMemo(() => {
    const sorted = [...tasks].sort((a, b) => (a.due || '9999').localeCompare(b.due || '9999') || a.title.localeCompare(b.title))
    return [
      { id: 'overdue', title: 'Overdue', items: sorted.filter((t) => t.due && t.due.slice(0, 10) < today) },
      { id: 'today', title: 'Today', items: sorted.filter((t) => t.due.slice(0, 10) === today) },
      { id: 'upcoming', title: 'Upcoming', items: sorted.filter((t) => !t.due || t.due.slice(0, 10) > today) },
    ]
  }, [tasks, today])
  if (!tasks.length) return <Empty title="You're all caught up" icon="✓">Tasks assigned to you on any board show up here.</Empty>
  return (
    <div class="task-groups">
      {groups.map((g) => (
        <section key={g.id} class={`task-group task-group--${g.id}`} aria-labelledby={`tg-${g.id}`} data-testid={`tasks-${g.id}`}>
          <h2 id={`tg-${g.id}`}>{g.title} <span class="count">{g.items.length}</span></h2>
          {g.items.length === 0 ? <p class="muted">Nothing {g.id === 'overdue' ? 'overdue' : g.id === 'today' ? 'due today' : 'coming up'}.</p> : (
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
      if (task.kind === 'workItem') setCard(doc.doc, task.id, { status: 'done' })
      else setActivity(doc.doc, task.id, { done: true })
      announce(`Completed ${task.title}.`)
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
      <span class={`task__due${due && due < today ? ' is-overdue' : ''}`}>
        {!due ? 'No date' : due === today ? 'Today' : due === addDays(today, 1) ? 'Tomorrow' : shortDate(due)}
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
      else reject(new Error('The board did not load in time; try again'))
    }, 5000)
    const stop = doc.synced.subscribe((synced) => {
      if (!synced) return
      clearTimeout(timer)
      queueMicrotask(() => stop())
      resolve()
    })
  })
}
