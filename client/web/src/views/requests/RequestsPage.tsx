/**
 * The request queue (docs/service.md): views by status with counts, filters (assignee, priority,
 * overdue), sorted by due-by; a request opens in a panel beside the queue (`RequestView`).
 * `?request=<id>` opens one directly (the contact page links there).
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, query, type Schemas } from '../../lib/api'
import { canEdit, me, memberName, members, workspaceId } from '../../lib/session'
import { relative } from '../../lib/format'
import { queryParam } from '../../lib/router'
import { Empty, Icon, Spinner } from '../../components/ui'
import { scoped } from '../../i18n'
import { NewRequestDialog, RequestView } from './RequestView'
import './requests.css'

export const rt = scoped('requests')
export type ServiceRequest = Schemas['ServiceRequest']
type Queue = Schemas['RequestQueue']
type View = 'open' | 'new' | 'waiting' | 'solved' | 'closed' | 'all'
const VIEWS: View[] = ['open', 'new', 'waiting', 'solved', 'closed', 'all']
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const

function countOf(counts: Record<string, number>, view: View): number {
  if (view === 'open') return (counts.new ?? 0) + (counts.open ?? 0) + (counts.waiting ?? 0)
  if (view === 'all') return Object.values(counts).reduce((a, b) => a + b, 0)
  return counts[view] ?? 0
}

/** The status, priority and due-by tags of a request, as the queue and the panel show them. */
export function RequestTags({ request }: { request: ServiceRequest }) {
  return (
    <span class="request-tags">
      <span class={`tag tag--request-${request.status}`}>{rt(`status.${request.status}`)}</span>
      <span class={`tag tag--priority-${request.priority}`}>{rt(`priority.${request.priority}`)}</span>
      {request.overdue
        ? <span class="tag tag--danger" data-testid="request-overdue">{rt('overdue')}</span>
        : request.status !== 'solved' && request.status !== 'closed' && !request.first_response_at &&
          <span class="muted small">{rt('due', { when: relative(request.due_at) })}</span>}
    </span>
  )
}

export function RequestsPage() {
  const ws = workspaceId.value!
  const [view, setView] = useState<View>(queryParam('request') ? 'all' : 'open') // a link to one request: it shows whatever its status
  const [assignee, setAssignee] = useState('')
  const [priority, setPriority] = useState('')
  const [overdue, setOverdue] = useState(false)
  const [queue, setQueue] = useState<Queue | null>(null)
  const [open, setOpen] = useState<string | null>(queryParam('request') || null)
  const [adding, setAdding] = useState(false)
  const filtered = Boolean(assignee || priority || overdue)

  const latest = useRef(0) // the newest load wins: a filter changed while a reload runs must not be overwritten
  async function load() {
    const mine = ++latest.current
    const status = view === 'open' ? undefined : view
    const who = assignee === 'none' ? { unassigned: true } : { assignee: assignee === 'me' ? me.value!.id : assignee || undefined }
    const got = await api<Queue>('GET', `/api/workspaces/${ws}/requests${query({ status, ...who, priority: priority || undefined, overdue: overdue || undefined, limit: 200 })}`)
    if (mine === latest.current) setQueue(got)
  }
  const [tick, setTick] = useState(0) // a change in the panel reloads with the filters as they are then
  const reload = async () => setTick((n) => n + 1)
  useEffect(() => { void load() }, [ws, view, assignee, priority, overdue, tick])

  const requests = queue?.requests ?? []
  return (
    <div class="page-wide requests" data-testid="requests-page">
      <header class="page-header">
        <div class="page-header__title"><h1>{rt('title')}</h1></div>
        {canEdit.value && <button class="btn btn--primary" onClick={() => setAdding(true)} data-testid="request-add"><Icon name="plus" size={16} />{rt('add')}</button>}
      </header>
      <div class="requests__views" role="group" aria-label={rt('views')}>
        {VIEWS.map((v) => (
          <button key={v} type="button" class={`chip${v === view ? ' is-on' : ''}`} aria-pressed={v === view} onClick={() => setView(v)} data-testid={`request-view-${v}`}>
            {rt(`view.${v}`)} <span class="requests__count">{queue ? countOf(queue.counts, v) : '…'}</span>
          </button>
        ))}
      </div>
      <div class="row row--wrap requests__filters">
        <label class="field"><span class="sr-only">{rt('assignee')}</span>
          <select value={assignee} aria-label={rt('assignee')} onChange={(e) => setAssignee((e.target as HTMLSelectElement).value)} data-testid="request-filter-assignee">
            <option value="">{rt('anyAssignee')}</option>
            <option value="me">{rt('mine')}</option>
            <option value="none">{rt('unassigned')}</option>
            {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
          </select>
        </label>
        <label class="field"><span class="sr-only">{rt('priorityLabel')}</span>
          <select value={priority} aria-label={rt('priorityLabel')} onChange={(e) => setPriority((e.target as HTMLSelectElement).value)}>
            <option value="">{rt('anyPriority')}</option>
            {PRIORITIES.map((p) => <option key={p} value={p}>{rt(`priority.${p}`)}</option>)}
          </select>
        </label>
        <label class="requests__overdue"><input type="checkbox" checked={overdue} onChange={(e) => setOverdue((e.target as HTMLInputElement).checked)} /> {rt('overdueOnly')}</label>
      </div>
      <div class={`requests__body${open ? ' requests__body--open' : ''}`}>
        {!queue ? <Spinner /> : requests.length === 0 ? (
          filtered || view !== 'open' ? <Empty title={rt('emptyFiltered')} /> : (
            <Empty title={rt('emptyTitle')} icon="✉">
              <p>{rt('emptyBody')}</p>
              <div class="row row--wrap requests__ways">
                {canEdit.value && <button class="btn btn--ghost" onClick={() => setAdding(true)}>{rt('add')}</button>}
                <a class="btn btn--ghost" href={`/w/${ws}/settings/service`}>{rt('setUpMail')}</a>
              </div>
            </Empty>
          )
        ) : (
          <ul class="requests__list" data-testid="request-list">
            {requests.map((r) => (
              <li key={r.id} class={`request-row${r.id === open ? ' is-open' : ''}`} data-testid="request-row">
                <button type="button" class="request-row__main" onClick={() => setOpen(r.id === open ? null : r.id)} aria-expanded={r.id === open}>
                  <strong class="request-row__subject">{r.subject}</strong>
                  <span class="muted request-row__who">{[r.contact_name, r.assignee ? memberName(r.assignee) : rt('unassigned')].filter(Boolean).join(' · ')}</span>
                  <RequestTags request={r} />
                </button>
              </li>
            ))}
          </ul>
        )}
        {open && <RequestView key={open} id={open} onClose={() => setOpen(null)} onChanged={reload} />}
      </div>
      {adding && <NewRequestDialog onClose={() => setAdding(false)} onCreated={(id) => { setAdding(false); void reload(); setOpen(id) }} />}
    </div>
  )
}
