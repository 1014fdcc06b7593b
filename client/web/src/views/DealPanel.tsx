/**
 * The card panel beside the board: fields edited inline (each change is one Yjs transaction,
 * seen live by everyone), activities and tasks, the timeline, and co-edited notes.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { get, type Schemas } from '../lib/api'
import { me, memberName, members } from '../lib/session'
import type { Peer, SyncedDoc } from '../lib/ydocs'
import {
  ACTIVITY_TYPES, addActivity, deleteActivity, deleteCard, isRotting, moveCard, setActivity, setCard, setLabels,
  type Activity, type ActivityType, type BoardState, type Card,
} from '../lib/board'
import { dateTime, money, relative, shortDate, todayIso } from '../lib/format'
import type { Board } from '../lib/session'
import { Avatar, AvatarStack, Icon, announce } from '../components/ui'
import { LiveInput, LiveTextarea } from '../components/inputs'
import { NotesSection } from './Notes'
import { RecordPicker } from './Contacts'

type Tab = 'activities' | 'notes' | 'timeline'

export function DealPanel({ synced, board, cardId, writable, meta, peers, onClose }: {
  synced: SyncedDoc; board: BoardState; cardId: string; writable: boolean; meta: Board; peers: Peer[]; onClose: () => void
}) {
  const card = board.cards.get(cardId)!
  const [tab, setTab] = useState<Tab>('activities')
  const heading = useRef<HTMLHeadingElement>(null)
  const set = (values: Record<string, unknown>) => setCard(synced.doc, cardId, values)
  const stage = board.stages.find((s) => s.id === card.stage) ?? board.stages[0]
  const viewers = peers.filter((p) => p.openCard === cardId)
  const pipeline = board.kind === 'pipeline'
  const rotting = isRotting(card, stage)

  useEffect(() => heading.current?.focus(), [cardId])
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !(e.target as Element).closest('input, textarea, select, .ProseMirror')) onClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])

  return (
    <section class="panel" role="dialog" aria-modal="false" aria-labelledby="panel-title" data-testid="deal-panel">
      <header class="panel__header">
        <div class="panel__crumbs">
          <span class="muted">{meta.name}</span><span class="muted">/</span><span class="muted">{stage?.name}</span>
          {rotting > 0 && <span class="rot-badge"><Icon name="flame" size={13} />idle {rotting} days</span>}
        </div>
        <div class="panel__header-row">
          <h2 id="panel-title" class="sr-only" tabIndex={-1} ref={heading}>{card.title || 'Untitled'}</h2>
          <LiveInput class="panel__title" aria-label="Title" value={card.title} readOnly={!writable}
            onCommit={(title) => set({ title })} />
          <AvatarStack label="Also viewing" size={26} people={viewers.map((v) => v.user)} />
          <button class="icon-btn" onClick={onClose} aria-label="Close panel" title="Close (Esc)"><Icon name="close" /></button>
        </div>
        {pipeline && (
          <div class="panel__status" role="group" aria-label="Deal status">
            <span class="panel__value">{money(card.value, card.currency || board.currency)}</span>
            {(['open', 'won', 'lost'] as const).map((status) => (
              <button key={status} class={`seg seg--${status}${card.status === status ? ' is-on' : ''}`} aria-pressed={card.status === status}
                disabled={!writable} onClick={() => { set({ status, ...(status !== 'lost' ? { lostReason: '' } : {}) }); announce(`Marked ${status}.`) }}>
                {status === 'open' ? 'Open' : status === 'won' ? 'Won' : 'Lost'}
              </button>
            ))}
          </div>
        )}
      </header>
      <div class="panel__body">
        <section class="fields" aria-label="Details">
          {pipeline ? <>
            <Row label="Value">
              <LiveInput type="number" min="0" step="any" aria-label="Value" value={String(card.value)} readOnly={!writable}
                onCommit={(v) => set({ value: Number(v) || 0 })} />
            </Row>
            <Row label="Currency">
              <LiveInput aria-label="Currency" maxLength={3} value={card.currency || board.currency} readOnly={!writable}
                onCommit={(v) => set({ currency: v.toUpperCase() })} />
            </Row>
          </> : (
            <Row label="Status">
              <select aria-label="Status" value={card.status} disabled={!writable} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
                <option value="todo">To do</option><option value="doing">Doing</option><option value="done">Done</option>
              </select>
            </Row>
          )}
          <Row label="Stage">
            <select aria-label="Stage" value={card.stage} disabled={!writable} onChange={(e) => {
              const to = (e.target as HTMLSelectElement).value
              moveCard(synced.doc, board, cardId, to, (board.columns.get(to) ?? []).length)
              announce(`Moved to ${board.stages.find((s) => s.id === to)?.name}.`)
            }}>
              {board.stages.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select>
          </Row>
          <Row label={pipeline ? 'Owner' : 'Assignee'}>
            <PersonSelect label={pipeline ? 'Owner' : 'Assignee'} value={pipeline ? card.owner : card.assignee} disabled={!writable}
              onChange={(id) => set(pipeline ? { owner: id } : { assignee: id })} />
          </Row>
          <Row label={pipeline ? 'Expected close' : 'Due'}>
            <input type="date" aria-label={pipeline ? 'Expected close' : 'Due'} value={pipeline ? card.expectedClose : card.due} readOnly={!writable}
              onChange={(e) => set(pipeline ? { expectedClose: (e.target as HTMLInputElement).value } : { due: (e.target as HTMLInputElement).value })} />
          </Row>
          {pipeline && <>
            <Row label="Contact">
              <RecordPicker kind="contacts" label="Contact" value={card.contact} disabled={!writable} onChange={(id) => set({ contact: id })} />
            </Row>
            <Row label="Organisation">
              <RecordPicker kind="organisations" label="Organisation" value={card.organisation} disabled={!writable} onChange={(id) => set({ organisation: id })} />
            </Row>
            <Row label="Labels">
              <LiveInput aria-label="Labels" placeholder="e.g. hot, enterprise" value={card.labels.join(', ')} readOnly={!writable}
                onCommit={(v) => setLabels(synced.doc, cardId, v.split(',').map((x) => x.trim()).filter(Boolean))} />
            </Row>
            {card.status === 'lost' && (
              <Row label="Lost reason">
                <LiveInput aria-label="Lost reason" value={card.lostReason} readOnly={!writable} onCommit={(v) => set({ lostReason: v })} />
              </Row>
            )}
          </>}
          {!pipeline && (
            <div class="fields__wide">
              <label class="field__label" for="card-description">Description</label>
              <LiveTextarea id="card-description" rows={3} value={card.description} readOnly={!writable} onCommit={(v) => set({ description: v })} />
            </div>
          )}
          {Object.keys(card.fields).length > 0 && Object.entries(card.fields).map(([key, value]) => (
            <Row key={key} label={key}><span class="fields__static">{String(value)}</span></Row>
          ))}
        </section>

        <div class="tabs" role="tablist" aria-label="Card sections" onKeyDown={(e) => {
          const order: Tab[] = ['activities', 'notes', 'timeline']
          const i = order.indexOf(tab)
          const next = e.key === 'ArrowRight' ? order[(i + 1) % 3] : e.key === 'ArrowLeft' ? order[(i + 2) % 3] : null
          if (next) { setTab(next); requestAnimationFrame(() => document.getElementById(`tab-${next}`)?.focus()) }
        }}>
          {(['activities', 'notes', 'timeline'] as const).map((t) => (
            <button key={t} id={`tab-${t}`} role="tab" aria-selected={tab === t} aria-controls={`tabpanel-${t}`} tabIndex={tab === t ? 0 : -1}
              class={`tab${tab === t ? ' is-on' : ''}`} onClick={() => setTab(t)}>
              {t === 'activities' ? 'Activities & tasks' : t === 'notes' ? 'Notes' : 'Timeline'}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`tabpanel-${tab}`} aria-labelledby={`tab-${tab}`} class="tabpanel">
          {tab === 'activities' && <Activities synced={synced} board={board} card={card} writable={writable} />}
          {tab === 'notes' && <NotesSection subjectKind="deal" subjectId={cardId} board={meta.id} writable={writable} />}
          {tab === 'timeline' && <Timeline board={meta.id} card={card} activities={board.activities.filter((a) => a.card === cardId)} />}
        </div>
        {writable && (
          <p class="panel__danger">
            <button class="link link--danger" onClick={() => {
              if (confirm(`Delete “${card.title}”? This cannot be undone.`)) { deleteCard(synced.doc, cardId); onClose() }
            }}>Delete this {pipeline ? 'deal' : 'card'}</button>
          </p>
        )}
      </div>
    </section>
  )
}

function Row({ label, children }: { label: string; children: preact.ComponentChildren }) {
  return <div class="fields__row"><span class="fields__label">{label}</span><div class="fields__value">{children}</div></div>
}

export function PersonSelect({ label, value, onChange, disabled, id }: { label: string; value: string; onChange: (id: string) => void; disabled?: boolean; id?: string }) {
  const known = members.value.some((m) => m.user.id === value)
  return (
    <select id={id} aria-label={label} value={value} disabled={disabled} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
      <option value="">Nobody</option>
      {members.value.filter((m) => m.role !== 'viewer' || m.user.id === value).map((m) => (
        <option key={m.user.id} value={m.user.id}>{m.user.name}{m.user.id === me.value?.id ? ' (me)' : ''}</option>
      ))}
      {value && !known && <option value={value}>{memberName(value)}</option>}
    </select>
  )
}

function Activities({ synced, board, card, writable }: { synced: SyncedDoc; board: BoardState; card: Card; writable: boolean }) {
  const list = board.activities.filter((a) => a.card === card.id)
    .sort((a, b) => Number(a.done) - Number(b.done) || (a.due || '9999').localeCompare(b.due || '9999') || a.createdAt.localeCompare(b.createdAt))
  const [type, setType] = useState<ActivityType>('todo')
  const [assignee, setAssignee] = useState(me.value!.id)
  function submit(event: Event) {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const data = new FormData(form)
    const title = String(data.get('title') ?? '').trim()
    if (!title) return
    addActivity(synced.doc, {
      type, title, assignee, due: String(data.get('due') ?? ''), card: card.id, contact: card.contact || undefined,
    }, me.value!.id)
    announce(`Added ${title}${assignee ? ` for ${memberName(assignee)}` : ''}.`)
    form.reset()
    ;(form.querySelector('[name=title]') as HTMLInputElement).focus()
  }
  return (
    <div class="activities">
      {writable && (
        <form class="activity-form" onSubmit={submit} aria-label="New activity">
          <div class="activity-form__types" role="radiogroup" aria-label="Activity type">
            {ACTIVITY_TYPES.map((t) => (
              <button type="button" key={t.value} role="radio" aria-checked={type === t.value} class={`chip${type === t.value ? ' is-on' : ''}`}
                onClick={() => setType(t.value)} title={t.label}><Icon name={t.value} size={14} />{t.label}</button>
            ))}
          </div>
          <label class="sr-only" for="activity-title">What needs doing</label>
          <input id="activity-title" name="title" placeholder="What needs doing?" required />
          <div class="activity-form__row">
            <label class="field field--inline"><span class="field__label">Assign to</span>
              <PersonSelect id="activity-assignee" label="Assign to" value={assignee} onChange={setAssignee} /></label>
            <label class="field field--inline"><span class="field__label">Due</span>
              <input name="due" type="date" defaultValue={todayIso()} aria-label="Due date" /></label>
            <button class="btn btn--primary">Add</button>
          </div>
        </form>
      )}
      {list.length === 0 ? <p class="muted">No activities yet.</p> : (
        <ul class="activity-list" aria-label="Activities">
          {list.map((a) => <ActivityRow key={a.id} activity={a} synced={synced} writable={writable} />)}
        </ul>
      )}
    </div>
  )
}

export function ActivityRow({ activity: a, synced, writable, context }: { activity: Activity; synced: SyncedDoc | null; writable: boolean; context?: preact.ComponentChildren }) {
  const overdue = !a.done && a.due && a.due.slice(0, 10) < todayIso()
  return (
    <li class={`activity${a.done ? ' is-done' : ''}`} data-testid="activity">
      <input type="checkbox" id={`act-${a.id}`} checked={a.done} disabled={!writable || !synced}
        onChange={(e) => synced && setActivity(synced.doc, a.id, { done: (e.target as HTMLInputElement).checked })} />
      <label for={`act-${a.id}`} class="activity__main">
        <span class="activity__title"><Icon name={a.type} size={14} /> {a.title}</span>
        <span class="activity__meta">
          {a.due && <span class={overdue ? 'is-overdue' : ''}>{overdue ? 'Overdue · ' : ''}{shortDate(a.due)}</span>}
          {context}
        </span>
      </label>
      {a.assignee && <Avatar id={a.assignee} name={memberName(a.assignee)} size={24} />}
      {writable && synced && (
        <button class="icon-btn icon-btn--small" aria-label={`Delete ${a.title}`} onClick={() => deleteActivity(synced.doc, a.id)}><Icon name="close" size={14} /></button>
      )}
    </li>
  )
}

/** An entry of `GET /api/deals/{board}/{card}/timeline`, or a move this card records itself. */
type TimelineEvent = Schemas['Timeline']['events'][number] | { kind: 'moved_here'; at: string; author: null }

const amount = (value: number | null, currency: string | null) => (value === null ? '—' : money(value, currency ?? 'USD'))

function describeEvent(e: TimelineEvent): string {
  switch (e.kind) {
    case 'created': return 'Created the deal'
    case 'stage_changed': return e.from_stage_name ? `Moved from ${e.from_stage_name} to ${e.to_stage_name}` : `Moved to ${e.to_stage_name}`
    case 'value_changed': return `Changed the value from ${amount(e.old_value, e.currency)} to ${amount(e.new_value, e.currency)}`
    case 'status_changed': return e.new_status === 'open' ? 'Reopened the deal' : `Marked the deal ${e.new_status}`
    case 'task_done': return `Completed “${e.title}”`
    case 'note_added': return `Added the note “${e.title || 'Untitled'}”`
    case 'moved_here': return 'Moved to its current stage'
  }
}

const author = (id: string) => (id ? { id, name: memberName(id) } : null)

function Timeline({ board, card, activities }: { board: string; card: Card; activities: Activity[] }) {
  const [events, setEvents] = useState<TimelineEvent[] | null>(null)
  const [error, setError] = useState('')
  useEffect(() => {
    let live = true
    const load = () => get<Schemas['Timeline']>(`/api/deals/${board}/${card.id}/timeline`).then((r) => {
      if (!live) return
      setEvents([...r.events].reverse())
      setError('')
    }, (e) => live && setError(e instanceof Error ? e.message : String(e)))
    void load()
    const timer = setInterval(load, 4000)
    return () => { live = false; clearInterval(timer) }
  }, [board, card.id, card.updatedAt])
  // while the server has no history of this card (new, not projected yet): what the card records
  const local = useMemo<TimelineEvent[]>(() => [
    ...activities.filter((a) => a.done && a.doneAt).map((a): TimelineEvent => ({
      kind: 'task_done', at: a.doneAt, author: author(a.assignee), activity: a.id, type: a.type, title: a.title,
    })),
    ...(card.movedAt && card.movedAt !== card.createdAt ? [{ kind: 'moved_here', at: card.movedAt, author: null } as const] : []),
    ...(card.createdAt ? [{ kind: 'created', at: card.createdAt, author: author(card.createdBy) } as const] : []),
  ].sort((a, b) => String(b.at).localeCompare(String(a.at))), [card, activities])
  if (events === null && !error) return <p class="muted">Loading the timeline…</p>
  const list = events === null || events.length === 0 ? local : events
  return (
    <div>
      {error && <p class="notice" role="alert">{error}</p>}
      <ol class="timeline" aria-label="Timeline">
        {list.map((e, i) => {
          const at = String(e.at ?? '')
          return (
            <li key={i} class="timeline__item">
              <span class={`timeline__dot timeline__dot--${e.kind}`} aria-hidden="true" />
              <div>
                <div>{describeEvent(e)}{e.author?.id && <span class="muted"> · {e.author.name || memberName(e.author.id)}</span>}</div>
                <time class="muted small" dateTime={at} title={dateTime(at)}>{relative(at)}</time>
              </div>
            </li>
          )
        })}
        {list.length === 0 && <li class="muted">Nothing has happened yet.</li>}
      </ol>
    </div>
  )
}
