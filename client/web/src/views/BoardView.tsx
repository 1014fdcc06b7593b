/**
 * A board: stages as columns, cards in rank order, live. Cards move by pointer drag (a drop line
 * shows where) or by keyboard (Space lifts, arrows move, Space drops, Escape cancels; every step
 * is announced). Presence: who is on the board, and who has which card open.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import { get } from '../lib/api'
import { navigate } from '../lib/router'
import { boards, identity, me, memberName, workspaceId, isAdmin, isGuest, type Board } from '../lib/session'
import { useDocVersion, usePeers, useSyncedDoc, type Peer, type SyncedDoc } from '../lib/ydocs'
import {
  addCard, addDefaultStages, addStage, isRotting, moveCard, readBoard, renameStage, type BoardState, type Card, type Stage,
} from '../lib/board'
import { money, percent, shortDate, todayIso } from '../lib/format'
import { t } from '../i18n'
import { Avatar, AvatarStack, Empty, Icon, Spinner, announce, toastError } from '../components/ui'
import { MoneyTotals } from '../components/MoneyTotals'
import { loadCurrencySettings, totalsByCurrency } from '../lib/money'
import { labelColour, loadPickLists } from '../lib/lists'
import { DealPanel } from './DealPanel'
import { CloseDealDialog, openActivityCount } from './CloseDealDialog'
import { ShareDialog } from './Share'
import { NotSharedPage } from './NotShared'
import { isOverdue } from '../lib/calendar'

export function BoardPage({ boardId, cardId }: { boardId: string; cardId: string | null }) {
  const known = boards.value.find((b) => b.id === boardId)
  const [fetched, setFetched] = useState<Board | null | 'missing'>(null)
  useEffect(() => {
    if (known) return
    get<Board>(`/api/boards/${boardId}`).then(setFetched, () => setFetched('missing'))
  }, [boardId, known])
  const meta = known ?? (fetched === 'missing' ? null : fetched)
  if (fetched === 'missing' && !known && isGuest.value) return <NotSharedPage />
  if (fetched === 'missing' && !known) return <Empty title={t('board.notFound')}>{t('board.notFoundBody')} <a href={`/w/${workspaceId.value}`}>{t('board.allBoards')}</a></Empty>
  if (!meta) return <Spinner label={t('board.opening')} />
  return <BoardLoaded key={meta.id} meta={meta} cardId={cardId} />
}

interface Lift { cardId: string; stage: string; index: number; from: { stage: string; index: number } }
interface PointerTarget { stage: string; index: number }

function BoardLoaded({ meta, cardId }: { meta: Board; cardId: string | null }) {
  const synced = useSyncedDoc(meta.document)
  const version = useDocVersion(synced?.doc)
  const board = useMemo(() => (synced ? readBoard(synced.doc, meta.kind) : null), [synced, version])
  const peers = usePeers(synced?.awareness)
  const writable = meta.access === 'write'
  const [filter, setFilter] = useState('')
  const [mine, setMine] = useState(false)
  const [show, setShow] = useState<'open' | 'won' | 'lost' | 'all'>('open')
  const [sharing, setSharing] = useState(false)

  useEffect(() => {
    if (!synced || !identity.value) return
    synced.awareness.setLocalState({ user: identity.value, openCard: cardId })
  }, [synced, cardId])
  useEffect(() => () => synced?.awareness.setLocalState(null), [synced])
  // the workspace's label colours (members only: a guest's card labels stay plain)
  useEffect(() => { if (!isGuest.value && workspaceId.value) loadPickLists(workspaceId.value).catch(() => null) }, [])
  useEffect(() => { void loadCurrencySettings(meta.workspace_id) }, [meta.workspace_id])

  if (!synced || !board) return <Spinner label={t('board.opening')} />
  const boardUrl = `/w/${workspaceId.value}/boards/${meta.id}`
  const ready = synced.synced.value || synced.loaded.value
  // Won and lost deals leave the open columns (their own Won / Lost columns still show them); the filter brings them back
  const shown = (card: Card) => board.kind !== 'pipeline' || show === 'all' ? true
    : show === 'open' ? card.status === 'open' || board.stages.find((s) => s.id === card.stage)?.kind !== 'open'
    : card.status === show
  const visible = (card: Card) => shown(card) &&
    (!mine || card.owner === me.value?.id || card.assignee === me.value?.id) &&
    (!filter || card.title.toLowerCase().includes(filter.toLowerCase()))
  const open = board.kind === 'pipeline' ? [...board.cards.values()].filter((c) => c.status === 'open') : [...board.cards.values()]
  // Money per currency (never one number of mixed currencies); converted only at the admin's rates
  const openValue = totalsByCurrency(open.map((c) => ({ value: c.value, currency: c.currency })), board.currency)
  const weighted = totalsByCurrency(board.stages.flatMap((s) => (board.columns.get(s.id) ?? []).filter((c) => c.status === 'open')
    .map((c) => ({ value: c.value * (s.probability ?? 0) / 100, currency: c.currency }))), board.currency)

  return (
    <div class="board-page">
      <header class="page-header board-header">
        <div class="page-header__title">
          <h1>{meta.name}</h1>
          <span class={`tag tag--${meta.kind}`}>{meta.kind === 'pipeline' ? t('board.kindPipeline') : t('board.kindProject')}</span>
          {!writable && <span class="tag tag--warn" data-testid="read-only-board">{t('board.viewOnly')}</span>}
          {meta.archived_at && <span class="tag tag--warn">{t('board.archived')}</span>}
        </div>
        {board.kind === 'pipeline' && (
          <dl class="stats" aria-label={t('board.totals')}>
            <div><dt>{t('board.openDeals')}</dt><dd>{open.length}</dd></div>
            <div><dt>{t('board.pipelineValue')}</dt><dd><MoneyTotals totals={openValue} fallback={board.currency} testid="pipeline-value" /></dd></div>
            <div><dt>{t('board.weighted')}</dt><dd><MoneyTotals totals={weighted} fallback={board.currency} /></dd></div>
          </dl>
        )}
        <div class="board-header__tools">
          <label class="sr-only" for="board-filter">{t('board.filterLabel')}</label>
          <input id="board-filter" class="input--small" type="search" placeholder={t('board.filterPlaceholder')} value={filter}
            onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
          <button class={`btn btn--ghost btn--small${mine ? ' is-on' : ''}`} aria-pressed={mine} onClick={() => setMine(!mine)}>{t('board.mine')}</button>
          {board.kind === 'pipeline' && (
            <select class="input--small" aria-label={t('boardFilter.label')} value={show} data-testid="status-filter"
              onChange={(e) => setShow((e.target as HTMLSelectElement).value as typeof show)}>
              {(['open', 'won', 'lost', 'all'] as const).map((s) => <option key={s} value={s}>{t(`boardFilter.${s}`)}</option>)}
            </select>
          )}
          <AvatarStack label={t('board.onBoard')} people={[
            ...(identity.value ? [{ ...identity.value, you: true }] : []),
            ...peers.map((p) => ({ ...p.user, note: p.openCard && board.cards.get(p.openCard) ? t('board.peerViewing', { title: board.cards.get(p.openCard)!.title }) : t('board.peerOnBoard') })),
          ]} />
          {isAdmin.value && <button class="btn btn--small" onClick={() => setSharing(true)}>{t('board.share')}</button>}
        </div>
      </header>
      {meta.archived_at && (
        <p class="notice board-archived" role="status" data-testid="archived-board">{t('board.archivedBanner')}
          {isAdmin.value && <> <a href={`/w/${workspaceId.value}/settings/boards`}>{t('board.archivedRestore')}</a></>}</p>
      )}
      {!ready ? <Spinner label={t('board.syncing')} /> : board.stages.length === 0 ? (
        <Empty title={t('board.noStages')} icon="▦">
          {writable
            ? <button class="btn btn--primary" onClick={() => addDefaultStages(synced.doc, meta.id, board.kind)}>{board.kind === 'pipeline' ? t('board.addSalesStages') : t('board.addColumns')}</button>
            : <p>{t('board.setupHint')}</p>}
        </Empty>
      ) : (
        <Columns synced={synced} board={board} writable={writable} visible={visible} peers={peers} boardUrl={boardUrl} />
      )}
      {cardId && board.cards.has(cardId) && (
        <DealPanel synced={synced} board={board} cardId={cardId} writable={writable} meta={meta} peers={peers}
          onClose={() => navigate(boardUrl)} />
      )}
      {cardId && ready && !board.cards.has(cardId) && (
        <div class="panel-missing" role="alert">{t('board.cardGone')} <a href={boardUrl}>{t('board.backToBoard')}</a></div>
      )}
      {sharing && <ShareDialog board={meta} onClose={() => setSharing(false)} />}
    </div>
  )
}

function Columns({ synced, board, writable, visible, peers, boardUrl }: {
  synced: SyncedDoc; board: BoardState; writable: boolean; visible: (c: Card) => boolean; peers: Peer[]; boardUrl: string
}) {
  const [lift, setLift] = useState<Lift | null>(null)
  const [settling, setSettling] = useState<{ cardId: string; status: 'won' | 'lost' } | null>(null)
  const [dragging, setDragging] = useState<string | null>(null)
  const [target, setTarget] = useState<PointerTarget | null>(null)
  const scroller = useRef<HTMLDivElement>(null)
  const now = Date.now()

  // What is shown: each column's visible cards; a keyboard-lifted card at its preview place.
  const shown = new Map<string, Card[]>()
  for (const stage of board.stages) shown.set(stage.id, (board.columns.get(stage.id) ?? []).filter((c) => visible(c) && c.id !== lift?.cardId))
  if (lift) {
    const card = board.cards.get(lift.cardId)
    if (card) shown.get(lift.stage)?.splice(lift.index, 0, card)
  }

  /** Index among all of a stage's cards (the filter may hide some) for a drop at visible index `i`. */
  function fullIndex(stage: string, cardId: string, i: number): number {
    const all = (board.columns.get(stage) ?? []).filter((c) => c.id !== cardId)
    const vis = all.filter(visible)
    if (i < vis.length) return all.indexOf(vis[i])
    return vis.length ? all.indexOf(vis[vis.length - 1]) + 1 : all.length
  }

  function commit(cardId: string, stage: string, visibleIndex: number) {
    const card = board.cards.get(cardId)
    if (!card) return
    moveCard(synced.doc, board, cardId, stage, fullIndex(stage, cardId, visibleIndex))
    const into = board.stages.find((s) => s.id === stage)
    announce(t('board.dropped', { title: card.title, stage: into?.name ?? '', position: visibleIndex + 1 }))
    // dropped into a Won / Lost column: ask what becomes of its open activities (issue 18)
    const closing = into?.kind === 'won' || into?.kind === 'lost' ? into.kind : null
    if (board.kind === 'pipeline' && closing && card.status !== closing && openActivityCount(board, cardId) > 0) {
      setSettling({ cardId, status: closing })
    }
  }

  // keyboard: focus follows the lifted card between columns, and stays on it once dropped
  const refocus = useRef<{ id: string; stage: string } | null>(null)
  useLayoutEffect(() => {
    const id = lift?.cardId ?? refocus.current?.id
    if (!id) return
    const el = document.querySelector<HTMLElement>(`[data-card-id="${id}"]`)
    if (el && document.activeElement !== el) el.focus()
    // the drop renders twice: first at the old place (the document has not re-rendered yet), then at the new one
    if (!lift && el?.closest<HTMLElement>('[data-stage]')?.dataset.stage === refocus.current?.stage) refocus.current = null
  })

  function onCardKey(event: KeyboardEvent, card: Card, stage: Stage, index: number) {
    if (event.key === 'Enter' && !lift) {
      event.preventDefault()
      navigate(`${boardUrl}/deals/${card.id}`)
      return
    }
    if (event.key === ' ' || event.key === 'Spacebar') {
      event.preventDefault()
      if (!writable) {
        announce(t('board.viewOnlyMove'))
        return
      }
      if (!lift) {
        const column = shown.get(stage.id) ?? []
        setLift({ cardId: card.id, stage: stage.id, index, from: { stage: stage.id, index } })
        announce(t('board.pickedUp', { title: card.title, stage: stage.name, position: index + 1, count: column.length }))
      } else {
        const { stage: to, index: at } = lift
        refocus.current = { id: card.id, stage: to }
        setLift(null)
        commit(card.id, to, at)
      }
      return
    }
    if (!lift || lift.cardId !== card.id) return
    const stages = board.stages
    const si = stages.findIndex((s) => s.id === lift.stage)
    const others = (id: string) => (board.columns.get(id) ?? []).filter((c) => visible(c) && c.id !== card.id).length
    let next: Lift | null = null
    if (event.key === 'ArrowUp') next = { ...lift, index: Math.max(0, lift.index - 1) }
    else if (event.key === 'ArrowDown') next = { ...lift, index: Math.min(others(lift.stage), lift.index + 1) }
    else if (event.key === 'ArrowLeft' && si > 0) next = { ...lift, stage: stages[si - 1].id, index: Math.min(lift.index, others(stages[si - 1].id)) }
    else if (event.key === 'ArrowRight' && si < stages.length - 1) next = { ...lift, stage: stages[si + 1].id, index: Math.min(lift.index, others(stages[si + 1].id)) }
    else if (event.key === 'Escape') {
      event.preventDefault()
      setLift(null)
      announce(t('board.cancelled', { title: card.title, stage: stages.find((s) => s.id === lift.from.stage)?.name ?? '' }))
      return
    }
    if (next) {
      event.preventDefault()
      setLift(next)
      const s = stages.find((x) => x.id === next!.stage)!
      announce(t('board.moving', { title: card.title, stage: s.name, position: next.index + 1, count: others(next.stage) + 1 }))
    }
  }

  // pointer: a ghost follows the pointer; the drop line shows where the card will land
  function onPointerDown(event: PointerEvent, card: Card) {
    if (!writable || event.button !== 0 || lift) return
    if ((event.target as Element).closest('a, button, input')) return
    const origin = event.currentTarget as HTMLElement
    const start = { x: event.clientX, y: event.clientY }
    const rect = origin.getBoundingClientRect()
    let ghost: HTMLElement | null = null
    let over: PointerTarget | null = null
    let scrollFrame = 0
    let lastX = start.x

    const locate = (x: number, y: number): PointerTarget | null => {
      const column = document.elementsFromPoint(x, y).map((el) => el.closest('[data-stage]')).find(Boolean) as HTMLElement | undefined
      if (!column) return null
      const cards = [...column.querySelectorAll<HTMLElement>('[data-card-id]')].filter((el) => el.dataset.cardId !== card.id)
      const index = cards.filter((el) => {
        const r = el.getBoundingClientRect()
        return r.top + r.height / 2 < y
      }).length
      return { stage: column.dataset.stage!, index }
    }
    const autoscroll = () => {
      const box = scroller.current
      if (box && ghost) {
        const r = box.getBoundingClientRect()
        if (lastX < r.left + 60) box.scrollLeft -= 12
        else if (lastX > r.right - 60) box.scrollLeft += 12
      }
      scrollFrame = requestAnimationFrame(autoscroll)
    }
    const move = (e: PointerEvent) => {
      lastX = e.clientX
      if (!ghost) {
        if (Math.hypot(e.clientX - start.x, e.clientY - start.y) < 5) return
        ghost = origin.cloneNode(true) as HTMLElement
        ghost.classList.add('card--ghost')
        ghost.removeAttribute('data-card-id')
        ghost.style.width = `${rect.width}px`
        document.body.appendChild(ghost)
        setDragging(card.id)
        scrollFrame = requestAnimationFrame(autoscroll)
      }
      ghost.style.transform = `translate(${e.clientX - (start.x - rect.left)}px, ${e.clientY - (start.y - rect.top)}px) rotate(2deg)`
      over = locate(e.clientX, e.clientY)
      setTarget(over)
    }
    const finish = (e: PointerEvent | null) => {
      window.removeEventListener('pointermove', move)
      window.removeEventListener('pointerup', up)
      window.removeEventListener('pointercancel', cancel)
      window.removeEventListener('keydown', escape)
      cancelAnimationFrame(scrollFrame)
      if (ghost) {
        ghost.remove()
        setDragging(null)
        setTarget(null)
        if (e && over) commit(card.id, over.stage, over.index)
      } else if (e) {
        navigate(`${boardUrl}/deals/${card.id}`)
      }
    }
    const up = (e: PointerEvent) => finish(e)
    const cancel = () => finish(null)
    const escape = (e: KeyboardEvent) => e.key === 'Escape' && finish(null)
    window.addEventListener('pointermove', move)
    window.addEventListener('pointerup', up)
    window.addEventListener('pointercancel', cancel)
    window.addEventListener('keydown', escape)
  }

  return (
    <>
      <p id="dnd-help" class="sr-only">{t('board.dndHelp')}</p>
      {settling && <CloseDealDialog synced={synced} board={board} cardId={settling.cardId} status={settling.status} moved
        onClose={() => setSettling(null)} />}
      <div class="board" ref={scroller} role="region" aria-label={t('board.columns')} tabIndex={-1}>
        {board.stages.map((stage) => {
          const all = board.columns.get(stage.id) ?? []
          const cards = shown.get(stage.id) ?? []
          const total = totalsByCurrency(all.filter((c) => c.status !== 'lost'), board.currency)
          return (
            <section key={stage.id} class={`column${target?.stage === stage.id ? ' column--over' : ''} column--${stage.kind}`}
              data-stage={stage.id} aria-labelledby={`stage-${stage.id}`}>
              <header class="column__header">
                <StageName synced={synced} stage={stage} writable={writable} />
                <span class="column__count" aria-label={t('board.cardCount', { count: all.length })}>{all.length}</span>
                {board.kind === 'pipeline' && (
                  <div class="column__meta">
                    <MoneyTotals totals={total} fallback={board.currency} testid="stage-total" />
                    {stage.probability !== null && <span class="muted">· {percent(stage.probability)}</span>}
                  </div>
                )}
              </header>
              <ul class="column__cards" role="list" aria-label={t('board.stageCards', { stage: stage.name })}>
                {(() => {
                  let j = 0 // index among the cards that are not being dragged (what a drop index counts)
                  return cards.flatMap((card, i) => {
                    const line = target?.stage === stage.id && target.index === j && card.id !== dragging
                    if (card.id !== dragging) j++
                    return [
                      line ? <li key="drop" class="drop-line" aria-hidden="true" /> : null,
                      <li key={card.id}>
                        <CardTile card={card} stage={stage} board={board} now={now}
                          lifted={lift?.cardId === card.id} dragging={dragging === card.id}
                          viewers={peers.filter((p) => p.openCard === card.id)}
                          onKeyDown={(e) => onCardKey(e, card, stage, i)}
                          onPointerDown={(e) => onPointerDown(e, card)} href={`${boardUrl}/deals/${card.id}`} />
                      </li>,
                    ]
                  })
                })()}
                {target?.stage === stage.id && target.index >= cards.filter((c) => c.id !== dragging).length && <li class="drop-line" aria-hidden="true" />}
              </ul>
              {writable && <QuickAdd synced={synced} board={board} stage={stage} />}
            </section>
          )
        })}
        {writable && <AddStage synced={synced} board={board} />}
      </div>
    </>
  )
}

function CardTile({ card, stage, board, now, lifted, dragging, viewers, onKeyDown, onPointerDown, href }: {
  card: Card; stage: Stage; board: BoardState; now: number; lifted: boolean; dragging: boolean; viewers: Peer[]
  onKeyDown: (e: KeyboardEvent) => void; onPointerDown: (e: PointerEvent) => void; href: string
}) {
  const rotting = isRotting(card, stage, now)
  const pipeline = board.kind === 'pipeline'
  const person = pipeline ? card.owner : card.assignee
  const overdue = card.due && card.due < todayIso() && card.status !== 'done'
  const openTasks = board.activities.filter((a) => a.card === card.id && !a.done).length
  const lateTasks = board.activities.filter((a) => a.card === card.id && isOverdue(a)).length // issue 18
  const label = [card.title, pipeline ? money(card.value, card.currency || board.currency) : '', rotting ? t('board.rotting', { count: rotting }) : '',
    card.status === 'won' || card.status === 'lost' ? t(`statusTag.${card.status}`) : ''].filter(Boolean).join(', ')
  return (
    <div class={`card${rotting ? ' card--rotting' : ''}${lifted ? ' card--lifted' : ''}${dragging ? ' card--dragging' : ''}${viewers.length ? ' card--watched' : ''} card--${card.status}`}
      style={viewers.length ? { '--presence': viewers[0].user.color } : undefined}
      data-card-id={card.id} data-testid="card" tabIndex={0} role="button"
      aria-roledescription={t('board.draggable')} aria-describedby="dnd-help" aria-label={label} aria-pressed={lifted ? true : undefined}
      onKeyDown={onKeyDown as never} onPointerDown={onPointerDown as never}>
      <div class="card__top">
        <a class="card__title" href={href} tabIndex={-1} draggable={false}>{card.title || t('common.untitled')}</a>
        {viewers.length > 0 && (
          <span class="card__viewers" style={{ background: viewers[0].user.color }}>
            <AvatarStack size={18} max={3} label={t('board.openBy')} people={viewers.map((v) => v.user)} />
            <span aria-hidden="true">{t('board.viewing')}</span>
          </span>
        )}
      </div>
      {pipeline ? (
        <div class="card__row">
          <span class="card__value">{money(card.value, card.currency || board.currency)}</span>
          {card.status !== 'open' && <span class={`tag tag--${card.status}`}>{card.status === 'won' || card.status === 'lost' ? t(`statusTag.${card.status}`) : card.status}</span>}
          {card.labels.slice(0, 2).map((l) => <span key={l} class={`tag tag--label label--${labelColour(l) ?? 'none'}`}>{l}</span>)}
          {card.expectedClose && <span class="card__date" title={t('board.expectedClose')}>{shortDate(card.expectedClose)}</span>}
        </div>
      ) : (
        <div class="card__row">
          {card.due && <span class={`card__date${overdue ? ' is-overdue' : ''}`} title={t('board.due')}>{shortDate(card.due)}</span>}
        </div>
      )}
      <div class="card__foot">
        {rotting > 0 ? <span class="rot-badge" title={t('board.rotTitle', { count: rotting, limit: stage.rotDays })}><Icon name="flame" size={13} />{t('board.idleShort', { count: rotting })}</span> : <span />}
        <span class="card__foot-right">
          {openTasks > 0 && <span class={`card__tasks${lateTasks ? ' is-overdue' : ''}`} data-testid={lateTasks ? 'card-overdue' : undefined}
            title={lateTasks ? `${t('board.openTasks', { count: openTasks })} · ${t('calendar.overdueTasks', { count: lateTasks })}` : t('board.openTasks', { count: openTasks })}>
            <Icon name="todo" size={13} />{openTasks}</span>}
          {person && <Avatar id={person} name={memberName(person)} size={22} />}
        </span>
      </div>
    </div>
  )
}

function StageName({ synced, stage, writable }: { synced: SyncedDoc; stage: Stage; writable: boolean }) {
  const [editing, setEditing] = useState(false)
  if (editing) {
    return (
      <input class="column__rename" aria-label={t('board.stageName')} defaultValue={stage.name} autoFocus
        onBlur={(e) => { const v = (e.target as HTMLInputElement).value.trim(); if (v && v !== stage.name) renameStage(synced.doc, stage.id, v); setEditing(false) }}
        onKeyDown={(e) => { if (e.key === 'Enter') (e.target as HTMLInputElement).blur(); if (e.key === 'Escape') setEditing(false) }} />
    )
  }
  return (
    <h2 class="column__name" id={`stage-${stage.id}`}>
      {writable ? <button class="column__name-btn" title={t('board.renameStage')} onClick={() => setEditing(true)}>{stage.name}</button> : stage.name}
    </h2>
  )
}

function QuickAdd({ synced, board, stage }: { synced: SyncedDoc; board: BoardState; stage: Stage }) {
  const [open, setOpen] = useState(false)
  const title = useRef<HTMLInputElement>(null)
  if (!open) {
    return (
      <button class="quick-add__open" onClick={() => setOpen(true)} aria-label={board.kind === 'pipeline' ? t('board.addDealTo', { stage: stage.name }) : t('board.addCardTo', { stage: stage.name })}>
        <Icon name="plus" size={16} />{board.kind === 'pipeline' ? t('board.addDeal') : t('board.addCard')}
      </button>
    )
  }
  function submit(event: Event) {
    event.preventDefault()
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const name = String(form.get('title') ?? '').trim()
    if (!name) return
    const values: Record<string, unknown> = { title: name }
    if (board.kind === 'pipeline') values.value = Number(form.get('value') || 0)
    try {
      addCard(synced.doc, board, stage.id, values, me.value!.id)
      announce(t('board.added', { title: name, stage: stage.name }))
      ;(event.currentTarget as HTMLFormElement).reset()
      title.current?.focus()
    } catch (e) {
      toastError(e)
    }
  }
  return (
    <form class="quick-add" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && setOpen(false)} aria-label={t('board.newCardIn', { stage: stage.name })}>
      <label class="sr-only" for={`qa-title-${stage.id}`}>{t('board.title')}</label>
      <input id={`qa-title-${stage.id}`} name="title" ref={title} placeholder={board.kind === 'pipeline' ? t('board.dealTitle') : t('board.cardTitle')} autoFocus required />
      {board.kind === 'pipeline' && <>
        <label class="sr-only" for={`qa-value-${stage.id}`}>{t('board.value')}</label>
        <input id={`qa-value-${stage.id}`} name="value" type="number" min="0" step="any" placeholder={t('board.valueIn', { currency: board.currency })} />
      </>}
      <div class="quick-add__actions">
        <button class="btn btn--primary btn--small">{t('common.add')}</button>
        <button type="button" class="btn btn--ghost btn--small" onClick={() => setOpen(false)}>{t('common.cancel')}</button>
      </div>
    </form>
  )
}

function AddStage({ synced, board }: { synced: SyncedDoc; board: BoardState }) {
  const [open, setOpen] = useState(false)
  if (!open) return <button class="add-stage" onClick={() => setOpen(true)}><Icon name="plus" size={16} />{t('board.addStage')}</button>
  return (
    <form class="add-stage add-stage--form" onSubmit={(e) => {
      e.preventDefault()
      const name = String(new FormData(e.currentTarget as HTMLFormElement).get('name') ?? '').trim()
      if (name) addStage(synced.doc, board, name)
      setOpen(false)
    }}>
      <label class="sr-only" for="new-stage">{t('board.stageName')}</label>
      <input id="new-stage" name="name" placeholder={t('board.stageName')} autoFocus onKeyDown={(e) => e.key === 'Escape' && setOpen(false)} />
    </form>
  )
}
