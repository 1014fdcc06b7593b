/**
 * The card panel beside the board: fields edited inline (each change is one Yjs transaction,
 * seen live by everyone), activities and tasks, the timeline, and co-edited notes.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { get, type Schemas } from '../lib/api'
import { isAdmin, me, memberName, members } from '../lib/session'
import type { Peer, SyncedDoc } from '../lib/ydocs'
import {
  ACTIVITY_TYPES, addActivity, deleteActivity, deleteCard, isRotting, moveCard, setActivity, setCard, setLabels, setStatus,
  type Activity, type ActivityType, type BoardState, type Card,
} from '../lib/board'
import { dateTime, dueDay, money, relative, todayIso } from '../lib/format'
import { scoped, t } from '../i18n'
import type { Board } from '../lib/session'
import { Avatar, AvatarStack, Icon, announce } from '../components/ui'
import { LiveInput, LiveTextarea } from '../components/inputs'
import { CustomFieldRows, setDealField } from '../components/CustomFields'
import { CurrencySelect } from '../components/CurrencySelect'
import { LabelPicker } from '../components/LabelPicker'
import { NotesSection } from './Notes'
import { RecordPicker } from './Contacts'
import { LostDialog } from './LostDialog'
import { CloseDealDialog, openActivityCount } from './CloseDealDialog'
import { ComposeDialog } from './ComposeLazy'
import { EnrolDialog } from './sequences/Sequences'
import { FilesSection } from '../components/Files'
import { DealEmails } from './DealEmails'
import { LeadOrigin } from './leads/LeadOrigin'
import { isGuest } from '../lib/session'
import { toastError } from '../components/ui'
import { linkActivity, linkCard, linkKey, useBoardLinks } from '../lib/links'
import { ActivityTimes, ZoneList } from '../components/ActivityTimes'
import { ActivityAttendees } from '../components/ActivityAttendees'
import { FollowButton } from '../components/FollowButton'
import { SuggestedPersonSelect } from '../components/SuggestedAssignee'
import { ClosePushes, ForecastFields } from '../components/ForecastFields'
import { addMinutes, browserZone, isOverdue, isoToWall, wallToIso } from '../lib/calendar'

/** `10:00–10:30` on the activity's own zone's clock (the zone named when it is not the browser's). */
function timeRange(a: Activity): string {
  const zone = a.timeZone || browserZone()
  const from = isoToWall(a.due, zone).time
  const to = a.end ? `–${isoToWall(a.end, zone).time}` : ''
  return `${from}${to}${zone !== browserZone() ? ` (${zone})` : ''}`
}

type Tab = 'activities' | 'notes' | 'timeline'

export function DealPanel({ synced, board, cardId, writable, meta, peers, onClose }: {
  synced: SyncedDoc; board: BoardState; cardId: string; writable: boolean; meta: Board; peers: Peer[]; onClose: () => void
}) {
  const card = board.cards.get(cardId)!
  const [tab, setTab] = useState<Tab>('activities')
  const [losing, setLosing] = useState(false)
  const [winning, setWinning] = useState(false)
  const [mailing, setMailing] = useState(false)
  const [enrolling, setEnrolling] = useState(false)  // the deal's contact into an e-mail sequence
  const heading = useRef<HTMLHeadingElement>(null)
  const set = (values: Record<string, unknown>) => setCard(synced.doc, cardId, values)
  const stage = board.stages.find((s) => s.id === card.stage) ?? board.stages[0]
  const viewers = peers.filter((p) => p.openCard === cardId)
  const pipeline = board.kind === 'pipeline'
  const rotting = isRotting(card, stage)
  // contact and organisation live on the server, not in the board document (guests never get the ids)
  const [links, putLink] = useBoardLinks(meta.id, meta.workspace_id, isGuest.value)
  const link = links.get(linkKey('card', cardId))
  const setLink = (values: { contact?: string | null; organisation?: string | null }) =>
    linkCard(meta.id, cardId, values).then(putLink, toastError)

  useEffect(() => heading.current?.focus(), [cardId])
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !(e.target as Element).closest('input, textarea, select, .ProseMirror, dialog')) onClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])

  return (
    <section class="panel" role="dialog" aria-modal="false" aria-labelledby="panel-title" data-testid="deal-panel">
      <header class="panel__header">
        <div class="panel__crumbs">
          <span class="muted">{meta.name}</span><span class="muted">/</span><span class="muted">{stage?.name}</span>
          {rotting > 0 && <span class="rot-badge"><Icon name="flame" size={13} />{t('deal.idle', { count: rotting })}</span>}
        </div>
        <div class="panel__header-row">
          <h2 id="panel-title" class="sr-only" tabIndex={-1} ref={heading}>{card.title || t('common.untitled')}</h2>
          <LiveInput class="panel__title" aria-label={t('deal.title')} value={card.title} readOnly={!writable}
            onCommit={(title) => set({ title })} />
          <AvatarStack label={t('deal.alsoViewing')} size={26} people={viewers.map((v) => v.user)} />
          {pipeline && <FollowButton board={meta.id} card={cardId} />}
          {writable && !isGuest.value && <button class="icon-btn" onClick={() => setMailing(true)} aria-label={scoped('sending')('write')}
            title={scoped('sending')('write')} data-testid="deal-write-email"><Icon name="email" /></button>}
          {writable && !isGuest.value && link?.contact && <button class="icon-btn" onClick={() => setEnrolling(true)}
            aria-label={scoped('sequences')('enrolDeal')} title={scoped('sequences')('enrolDeal')} data-testid="deal-enrol"><Icon name="deadline" /></button>}
          <button class="icon-btn" onClick={onClose} aria-label={t('deal.closePanel')} title={t('deal.closeEsc')}><Icon name="close" /></button>
        </div>
        {pipeline && (
          <div class="panel__status" role="group" aria-label={t('deal.statusGroup')}>
            <span class="panel__value">{money(card.value, card.currency || board.currency)}</span>
            {(['open', 'won', 'lost'] as const).map((status) => (
              <button key={status} class={`seg seg--${status}${card.status === status ? ' is-on' : ''}`} aria-pressed={card.status === status}
                disabled={!writable} onClick={() => {
                  // lost asks why (and about open tasks), won about open tasks if it has any; every status
                  // moves the deal as the API does (Won / Lost column)
                  if (status === 'lost') return setLosing(true)
                  if (status === 'won' && card.status !== 'won' && openActivityCount(board, cardId) > 0) return setWinning(true)
                  setStatus(synced.doc, board, cardId, status)
                  announce(t('deal.marked', { status: t(`statusTag.${status}`) }))
                }}>
                {t(`status.${status}`)}
              </button>
            ))}
          </div>
        )}
        {losing && <LostDialog synced={synced} board={board} cardId={cardId} onClose={() => setLosing(false)} />}
        {winning && <CloseDealDialog synced={synced} board={board} cardId={cardId} status="won" onClose={() => setWinning(false)} />}
        {enrolling && link?.contact && <EnrolDialog contacts={[{ id: link.contact, name: card.title || t('common.untitled') }]}
          title={scoped('sequences')('enrolDeal')} deal={{ board_id: meta.id, card_id: cardId }} onClose={() => setEnrolling(false)} />}
        {mailing && <ComposeDialog to={[]} onClose={() => setMailing(false)} records={{ board_id: meta.id, card_id: cardId,
          contact_id: link?.contact ?? null, organisation_id: link?.organisation ?? null }} />}
      </header>
      <div class="panel__body">
        <section class="fields" aria-label={t('common.details')}>
          {pipeline ? <>
            <Row label={t('deal.value')}>
              <LiveInput type="number" min="0" step="any" aria-label={t('deal.value')} value={String(card.value)} readOnly={!writable}
                onCommit={(v) => set({ value: Number(v) || 0 })} />
            </Row>
            <Row label={t('deal.currency')}>
              <CurrencySelect label={t('deal.currency')} value={card.currency || board.currency} disabled={!writable}
                onChange={(code) => set({ currency: code })} />
            </Row>
          </> : (
            <Row label={t('deal.status')}>
              <select aria-label={t('deal.status')} value={card.status} disabled={!writable} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
                <option value="todo">{t('status.todo')}</option><option value="doing">{t('status.doing')}</option><option value="done">{t('status.done')}</option>
              </select>
            </Row>
          )}
          <Row label={t('deal.stage')}>
            <select aria-label={t('deal.stage')} value={card.stage} disabled={!writable} onChange={(e) => {
              const to = (e.target as HTMLSelectElement).value
              moveCard(synced.doc, board, cardId, to, (board.columns.get(to) ?? []).length)
              announce(t('deal.movedTo', { stage: board.stages.find((s) => s.id === to)?.name ?? '' }))
            }}>
              {board.stages.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select>
          </Row>
          <Row label={pipeline ? t('deal.owner') : t('deal.assignee')}>
            <PersonSelect label={pipeline ? t('deal.owner') : t('deal.assignee')} value={pipeline ? card.owner : card.assignee} disabled={!writable}
              onChange={(id) => set(pipeline ? { owner: id } : { assignee: id })} />
          </Row>
          <Row label={pipeline ? t('deal.expectedClose') : t('deal.due')}>
            <input type="date" aria-label={pipeline ? t('deal.expectedClose') : t('deal.due')} value={pipeline ? card.expectedClose : card.due} readOnly={!writable}
              onChange={(e) => set(pipeline ? { expectedClose: (e.target as HTMLInputElement).value } : { due: (e.target as HTMLInputElement).value })} />
            {pipeline && !isGuest.value && <ClosePushes workspace={meta.workspace_id} board={meta.id} card={cardId} expectedClose={card.expectedClose} />}
          </Row>
          {pipeline && <ForecastFields synced={synced} card={card} stage={stage} writable={writable} Row={Row} />}
          {pipeline && <>
            <Row label={t('deal.contact')}>
              <RecordPicker kind="contacts" label={t('deal.contact')} value={link?.contact ?? ''} disabled={!writable} onChange={(id) => setLink({ contact: id || null })} />
            </Row>
            <Row label={t('deal.organisation')}>
              <RecordPicker kind="organisations" label={t('deal.organisation')} value={link?.organisation ?? ''} disabled={!writable} onChange={(id) => setLink({ organisation: id || null })} />
            </Row>
            <Row label={t('deal.labels')}>
              <LabelPicker value={card.labels} disabled={!writable} admin={isAdmin.value} workspace={meta.workspace_id}
                onChange={(labels) => setLabels(synced.doc, cardId, labels)} />
            </Row>
            {card.status === 'lost' && (
              <Row label={t('deal.lostReason')}>
                <LiveInput aria-label={t('deal.lostReason')} value={card.lostReason} readOnly={!writable} onCommit={(v) => set({ lostReason: v })} />
              </Row>
            )}
          </>}
          {!pipeline && (
            <div class="fields__wide">
              <label class="field__label" for="card-description">{t('deal.description')}</label>
              <LiveTextarea id="card-description" rows={3} value={card.description} readOnly={!writable} onCommit={(v) => set({ description: v })} />
            </div>
          )}
          {pipeline && <CustomFieldRows workspace={meta.workspace_id} entity="deal" values={card.fields} editable={writable} Row={Row}
            onChange={(key, value) => setDealField(synced.doc, cardId, key, value)} />}
        </section>

        <div class="tabs" role="tablist" aria-label={t('deal.sections')} onKeyDown={(e) => {
          const order: Tab[] = ['activities', 'notes', 'timeline']
          const i = order.indexOf(tab)
          const next = e.key === 'ArrowRight' ? order[(i + 1) % 3] : e.key === 'ArrowLeft' ? order[(i + 2) % 3] : null
          if (next) { setTab(next); requestAnimationFrame(() => document.getElementById(`tab-${next}`)?.focus()) }
        }}>
          {(['activities', 'notes', 'timeline'] as const).map((id) => (
            <button key={id} id={`tab-${id}`} role="tab" aria-selected={tab === id} aria-controls={`tabpanel-${id}`} tabIndex={tab === id ? 0 : -1}
              class={`tab${tab === id ? ' is-on' : ''}`} onClick={() => setTab(id)}>
              {id === 'activities' ? t('deal.tabActivities') : id === 'notes' ? t('deal.tabNotes') : t('deal.tabTimeline')}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`tabpanel-${tab}`} aria-labelledby={`tab-${tab}`} class="tabpanel">
          {tab === 'activities' && <Activities synced={synced} board={board} card={card} writable={writable} boardId={meta.id} contact={link?.contact ?? ''} />}
          {tab === 'notes' && <NotesSection subjectKind="deal" subjectId={cardId} board={meta.id} writable={writable} />}
          {tab === 'timeline' && <Timeline board={meta.id} card={card} activities={board.activities.filter((a) => a.card === cardId)} />}
        </div>
        {pipeline && !isGuest.value && <LeadOrigin card={cardId} />}
        {pipeline && <FilesSection path={`/api/deals/${meta.id}/${cardId}/files`} writable={writable} />}
        {pipeline && !isGuest.value && <DealEmails board={meta.id} card={cardId} contact={link?.contact ?? null}
          organisation={link?.organisation ?? null} writable={writable} />}
        {writable && (
          <p class="panel__danger">
            <button class="link link--danger" onClick={() => {
              if (confirm(t('deal.deleteConfirm', { title: card.title }))) { deleteCard(synced.doc, cardId); onClose() }
            }}>{pipeline ? t('deal.deleteDeal') : t('deal.deleteCard')}</button>
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
      <option value="">{t('common.nobody')}</option>
      {members.value.filter((m) => m.role !== 'viewer' || m.user.id === value).map((m) => (
        <option key={m.user.id} value={m.user.id}>{m.user.id === me.value?.id ? t('common.me', { name: m.user.name }) : m.user.name}</option>
      ))}
      {value && !known && <option value={value}>{memberName(value)}</option>}
    </select>
  )
}

function Activities({ synced, board, card, writable, boardId, contact }: {
  synced: SyncedDoc; board: BoardState; card: Card; writable: boolean; boardId: string; contact: string
}) {
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
    const day = String(data.get('due') ?? ''), time = String(data.get('time') ?? '')
    // a time makes it a timed activity (30 minutes, in the browser's zone); without one it is all-day
    const zone = browserZone()
    const due = day && time ? wallToIso(day, time, zone) : day
    const timed = due.length > 10 ? { end: addMinutes(due, 30), timeZone: zone } : {}
    const activity = addActivity(synced.doc, { type, title, assignee, due, card: card.id, ...timed }, me.value!.id)
    if (contact) linkActivity(boardId, activity, contact).catch(toastError) // the deal's contact, kept on the server
    announce(assignee ? t('activity.addedFor', { title, name: memberName(assignee) }) : t('activity.added', { title }))
    // not form.reset(): it would show "Nobody" in Assign to while the next activity still went to `assignee`
    const titleInput = form.elements.namedItem('title') as HTMLInputElement
    titleInput.value = ''
    ;(form.elements.namedItem('due') as HTMLInputElement).value = todayIso()
    ;(form.elements.namedItem('time') as HTMLInputElement).value = ''
    titleInput.focus()
  }
  return (
    <div class="activities">
      {writable && (
        <form class="activity-form" onSubmit={submit} aria-label={t('activity.form')}>
          <div class="activity-form__types" role="radiogroup" aria-label={t('activity.type')}>
            {ACTIVITY_TYPES.map(({ value }) => (
              <button type="button" key={value} role="radio" aria-checked={type === value} class={`chip${type === value ? ' is-on' : ''}`}
                onClick={() => setType(value)} title={t(`activityType.${value}`)}><Icon name={value} size={14} />{t(`activityType.${value}`)}</button>
            ))}
          </div>
          <label class="sr-only" for="activity-title">{t('activity.whatLabel')}</label>
          <input id="activity-title" name="title" placeholder={t('activity.whatPlaceholder')} required />
          <div class="activity-form__row">
            <div class="field field--inline activity-form__assignee"><label class="field__label" for="activity-assignee">{t('activity.assignTo')}</label>
              <SuggestedPersonSelect id="activity-assignee" label={t('activity.assignTo')} value={assignee} onChange={setAssignee}
                board={boardId} card={card.id} /></div>
            <label class="field field--inline"><span class="field__label">{t('activity.due')}</span>
              <input name="due" type="date" defaultValue={todayIso()} aria-label={t('activity.dueDate')} /></label>
            <label class="field field--inline"><span class="field__label">{t('calendar.start')}</span>
              <input name="time" type="time" step={900} aria-label={t('calendar.startTime')} /></label>
            <button class="btn btn--primary">{t('common.add')}</button>
          </div>
        </form>
      )}
      <ZoneList />
      {list.length === 0 ? <p class="muted">{t('activity.none')}</p> : (
        <ul class="activity-list" aria-label={t('activity.list')}>
          {list.map((a) => <ActivityRow key={a.id} activity={a} synced={synced} writable={writable} editable board={boardId} />)}
        </ul>
      )}
    </div>
  )
}

export function ActivityRow({ activity: a, synced, writable, context, editable, board }: {
  activity: Activity; synced: SyncedDoc | null; writable: boolean; context?: preact.ComponentChildren; editable?: boolean
  board?: string // its board: the time editor then shows the attendees too (issue 18)
}) {
  const [open, setOpen] = useState(false)
  const overdue = isOverdue(a)
  const timed = a.due.length > 10
  return (
    <li class={`activity${a.done ? ' is-done' : ''}${open ? ' is-open' : ''}`} data-testid="activity">
      <input type="checkbox" id={`act-${a.id}`} checked={a.done} disabled={!writable || !synced}
        onChange={(e) => synced && setActivity(synced.doc, a.id, { done: (e.target as HTMLInputElement).checked })} />
      <label for={`act-${a.id}`} class="activity__main">
        <span class="activity__title"><Icon name={a.type} size={14} /> {a.title}</span>
        <span class="activity__meta">
          {a.due && <span class={overdue ? 'is-overdue' : ''}>{overdue ? t('activity.overdue') : ''}{dueDay(a.due)}</span>}
          {timed && <span>{timeRange(a)}</span>}
          {a.location && (/^https?:\/\/\S+$/i.test(a.location)
            ? <a class="activity__where" href={a.location} target="_blank" rel="noopener noreferrer">{a.location}</a>
            : <span class="activity__where">{a.location}</span>)}
          {context}
        </span>
      </label>
      {a.assignee && <Avatar id={a.assignee} name={memberName(a.assignee)} size={24} />}
      {editable && synced && (
        <button class="icon-btn icon-btn--small" aria-expanded={open} aria-controls={`act-${a.id}-times`} aria-label={t('calendar.details', { title: a.title })}
          title={t('calendar.detailsShort')} onClick={() => setOpen(!open)}><Icon name="meeting" size={14} /></button>
      )}
      {writable && synced && (
        <button class="icon-btn icon-btn--small" aria-label={t('activity.delete', { title: a.title })} onClick={() => deleteActivity(synced.doc, a.id)}><Icon name="close" size={14} /></button>
      )}
      {open && synced && <div id={`act-${a.id}-times`} class="activity__times"><ActivityTimes doc={synced.doc} activity={a} writable={writable} />
        {board && <ActivityAttendees board={board} activity={a.id} title={a.title} writable={writable} />}</div>}
    </li>
  )
}

/** An entry of `GET /api/deals/{board}/{card}/timeline`, or a move this card records itself. */
type TimelineEvent = Schemas['Timeline']['events'][number] | { kind: 'moved_here'; at: string; author: null }

const amount = (value: number | null, currency: string | null) => (value === null ? '—' : money(value, currency ?? 'USD'))

function describeEvent(e: TimelineEvent): string {
  switch (e.kind) {
    case 'created': return t('timeline.created')
    case 'stage_changed': return e.from_stage_name ? t('timeline.movedFromTo', { from: e.from_stage_name, to: e.to_stage_name ?? '' }) : t('timeline.movedTo', { to: e.to_stage_name ?? '' })
    case 'value_changed': return t('timeline.valueChanged', { from: amount(e.old_value, e.currency), to: amount(e.new_value, e.currency) })
    case 'status_changed': return e.new_status === 'open' ? t('timeline.reopened')
      : t('timeline.marked', { status: e.new_status === 'won' || e.new_status === 'lost' ? t(`statusTag.${e.new_status}`) : e.new_status ?? '' })
    case 'task_done': return t('timeline.taskDone', { title: e.title })
    case 'note_added': return t('timeline.noteAdded', { title: e.title || t('common.untitled') })
    case 'moved_here': return t('timeline.movedHere')
    case 'file_added': return `${scoped('files')('onTimeline')}: ${e.name}`
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
  if (events === null && !error) return <p class="muted">{t('timeline.loading')}</p>
  const list = events === null || events.length === 0 ? local : events
  return (
    <div>
      {error && <p class="notice" role="alert">{error}</p>}
      <ol class="timeline" aria-label={t('timeline.label')}>
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
        {list.length === 0 && <li class="muted">{t('timeline.empty')}</li>}
      </ol>
    </div>
  )
}
