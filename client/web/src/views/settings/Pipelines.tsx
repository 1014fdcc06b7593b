/**
 * Settings → Pipelines & stages: a board's columns as its document holds them (SHAPES.md
 * `stages`). Every change is an edit of the live board document (lib/board.ts), so everyone on
 * the board sees it at once and the projection carries it into SQL. Reorder by dragging the
 * handle or with the arrow keys on it; deleting a stage that holds deals asks where they go.
 */
import { useMemo, useRef, useState } from 'preact/hooks'
import { boards } from '../../lib/session'
import { useDocVersion, useSyncedDoc } from '../../lib/ydocs'
import {
  addStage, deleteStage, moveStage, readBoard, setStage, type BoardState, type Stage,
} from '../../lib/board'
import type { Board } from '../../lib/session'
import { LiveInput } from '../../components/inputs'
import { Empty, Icon, Spinner, announce, toastError } from '../../components/ui'
import { st } from '../../i18n'

const live = (b: Board) => !(b as { archived?: boolean }).archived

export function PipelinesSettings({ admin }: { admin: boolean }) {
  const list = boards.value.filter(live)
  const [chosen, setChosen] = useState<string>('')
  const meta = list.find((b) => b.id === chosen) ?? list.find((b) => b.kind === 'pipeline') ?? list[0]
  if (!meta) return <Empty title={st('noBoards')}>{st('noBoardsBody')}</Empty>
  return (
    <div class="settings-pipelines">
      <label class="field settings__picker"><span class="field__label">{st('board')}</span>
        <select value={meta.id} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)} data-testid="pipeline-picker">
          {list.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
        </select>
      </label>
      <StageEditor key={meta.id} meta={meta} admin={admin && meta.access === 'write'} />
    </div>
  )
}

function StageEditor({ meta, admin }: { meta: Board; admin: boolean }) {
  const synced = useSyncedDoc(meta.document)
  const version = useDocVersion(synced?.doc)
  const board = useMemo(() => (synced ? readBoard(synced.doc, meta.kind) : null), [synced, version])
  const [drag, setDrag] = useState<{ id: string; index: number } | null>(null)
  const list = useRef<HTMLOListElement>(null)
  if (!synced || !board || !(synced.synced.value || synced.loaded.value)) return <Spinner label={meta.name} />
  const doc = synced.doc
  const pipeline = board.kind === 'pipeline'

  function keyMove(e: KeyboardEvent, stage: Stage, index: number) {
    const to = e.key === 'ArrowUp' ? index - 1 : e.key === 'ArrowDown' ? index + 1 : null
    if (to === null || to < 0 || to >= board!.stages.length) return
    e.preventDefault()
    moveStage(doc, board!, stage.id, to)
    announce(st('moved', { name: stage.name, pos: to + 1, of: board!.stages.length }))
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-stage-handle="${stage.id}"]`)?.focus())
  }

  function pointerDown(e: PointerEvent, stage: Stage) {
    if (!admin || e.button !== 0) return
    e.preventDefault()
    const rows = () => [...(list.current?.querySelectorAll<HTMLElement>('[data-stage-row]') ?? [])]
    const at = (y: number) => rows().filter((r) => r.dataset.stageRow !== stage.id)
      .filter((r) => { const b = r.getBoundingClientRect(); return b.top + b.height / 2 < y }).length
    setDrag({ id: stage.id, index: board!.stages.findIndex((s) => s.id === stage.id) })
    const move = (ev: PointerEvent) => setDrag({ id: stage.id, index: at(ev.clientY) })
    const up = (ev: PointerEvent) => {
      window.removeEventListener('pointermove', move)
      window.removeEventListener('pointerup', up)
      setDrag(null)
      const index = at(ev.clientY)
      moveStage(doc, board!, stage.id, index)
      announce(st('moved', { name: stage.name, pos: index + 1, of: board!.stages.length }))
    }
    window.addEventListener('pointermove', move)
    window.addEventListener('pointerup', up)
  }

  return (
    <>
      {admin && <p class="muted settings__help">{st('stagesHelp')}</p>}
      <ol class="stage-list" ref={list} aria-label={st('stages')}>
        {board.stages.map((stage, index) => {
          const others = board.stages.filter((s) => s.id !== drag?.id)
          const lineBefore = drag && drag.id !== stage.id && others.indexOf(stage) === drag.index
          return (
            <li key={stage.id} data-stage-row={stage.id} data-testid="stage-row" data-name={stage.name}
              class={`stage-row${drag?.id === stage.id ? ' is-dragging' : ''}${lineBefore ? ' has-drop-line' : ''}`}>
              {admin && (
                <button type="button" class="stage-row__handle" data-stage-handle={stage.id} aria-label={st('moveHandle', { name: stage.name })}
                  title={st('moveHandle', { name: stage.name })} onKeyDown={(e) => keyMove(e as unknown as KeyboardEvent, stage, index)}
                  onPointerDown={(e) => pointerDown(e as unknown as PointerEvent, stage)}>
                  <Icon name="grip" size={18} />
                </button>
              )}
              <StageFields board={board} stage={stage} admin={admin} pipeline={pipeline} doc={doc} />
            </li>
          )
        })}
        {drag && drag.index >= board.stages.length - 1 && <li class="stage-row__end-line" aria-hidden="true" />}
      </ol>
      {admin && <AddStageForm onAdd={(name) => addStage(doc, board, name)} />}
    </>
  )
}

function StageFields({ board, stage, admin, pipeline, doc }: {
  board: BoardState; stage: Stage; admin: boolean; pipeline: boolean; doc: import('yjs').Doc
}) {
  const [deleting, setDeleting] = useState(false)
  const [target, setTarget] = useState('')
  const cards = board.columns.get(stage.id)?.length ?? 0
  const id = stage.id.slice(0, 8)
  const number = (v: string, max?: number) => {
    const n = Math.max(0, Math.round(Number(v) || 0))
    return max === undefined ? n : Math.min(max, n)
  }
  return (
    <div class="stage-row__body">
      <div class="stage-row__fields">
        <label class="field stage-row__name"><span class="field__label">{st('stage')}</span>
          <LiveInput value={stage.name} readOnly={!admin} maxLength={200} aria-label={st('stage')}
            onCommit={(v) => v.trim() && setStage(doc, stage.id, { name: v.trim() })} />
        </label>
        {pipeline && (
          <label class="field stage-row__num"><span class="field__label" id={`p-${id}`}>{st('probability')}</span>
            <LiveInput type="number" min="0" max="100" step="1" value={stage.probability === null ? '' : String(stage.probability)}
              readOnly={!admin} aria-labelledby={`p-${id}`} onCommit={(v) => setStage(doc, stage.id, { probability: v === '' ? null : number(v, 100) })} />
          </label>
        )}
        {pipeline && (
          <label class="field stage-row__num"><span class="field__label" id={`r-${id}`}>{st('rotDays')}</span>
            <LiveInput type="number" min="0" step="1" value={String(stage.rotDays)} readOnly={!admin} title={st('rotNever')}
              aria-labelledby={`r-${id}`} onCommit={(v) => setStage(doc, stage.id, { rotDays: number(v) })} />
          </label>
        )}
        {pipeline && (
          <label class="field stage-row__kind"><span class="field__label">{st('kind')}</span>
            <select value={stage.kind} disabled={!admin} onChange={(e) => setStage(doc, stage.id, { kind: (e.target as HTMLSelectElement).value as Stage['kind'] })}>
              <option value="open">{st('kindOpen')}</option><option value="won">{st('kindWon')}</option><option value="lost">{st('kindLost')}</option>
            </select>
          </label>
        )}
        {admin && !deleting && (
          <button type="button" class="icon-btn stage-row__delete" aria-label={`${st('deleteStage')}: ${stage.name}`} title={st('deleteStage')}
            onClick={() => setDeleting(true)}><Icon name="close" size={16} /></button>
        )}
      </div>
      {deleting && (
        <form class="stage-row__confirm" aria-label={st('deleteStage')} onSubmit={(e) => {
          e.preventDefault()
          try {
            deleteStage(doc, board, stage.id, cards ? target : null)
            announce(st('deleted', { name: stage.name }))
          } catch (err) {
            toastError(err)
          }
        }}>
          {board.stages.length <= 1 ? <p>{st('lastStage')}</p> : <>
            <p><strong>{st('confirmDelete', { name: stage.name })}</strong>{cards > 0 && <> {st('dealsIn', { count: cards })}</>}</p>
            {cards > 0 && (
              <label class="field field--inline"><span class="field__label">{st('moveTo')}</span>
                <select required value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)} data-testid="move-deals-to">
                  <option value="">{st('chooseStage')}</option>
                  {board.stages.filter((s) => s.id !== stage.id).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
                </select>
              </label>
            )}
            <button class="btn btn--danger btn--small" disabled={cards > 0 && !target}>{st('deleteStage')}</button>
          </>}
          <button type="button" class="btn btn--ghost btn--small" onClick={() => setDeleting(false)}>{st('cancel')}</button>
        </form>
      )}
    </div>
  )
}

function AddStageForm({ onAdd }: { onAdd: (name: string) => void }) {
  return (
    <form class="inline-add" onSubmit={(e) => {
      e.preventDefault()
      const form = e.currentTarget as HTMLFormElement
      const name = String(new FormData(form).get('name') ?? '').trim()
      if (!name) return
      onAdd(name)
      form.reset()
    }}>
      <label class="sr-only" for="settings-new-stage">{st('newStage')}</label>
      <input id="settings-new-stage" name="name" placeholder={st('newStage')} maxLength={200} required />
      <button class="btn btn--primary btn--small"><Icon name="plus" size={16} />{st('addStage')}</button>
    </form>
  )
}
