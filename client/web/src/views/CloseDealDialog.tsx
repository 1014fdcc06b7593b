/**
 * Closing a deal asks what becomes of its open activities (issue 18): keep them open, mark them
 * done (with a note saying why) or delete them. `OpenActivitiesChoice` is the radio group the lost
 * dialog and this dialog share; `CloseDealDialog` is the "won" flow of the deal panel and, with
 * `moved`, the question after a deal with open activities was dropped into a Won or Lost column
 * on the board (the move already set its status; only the activities are left to settle).
 * Every path is one Yjs transaction, the same edit as the API's `open_activities`.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { scoped, t } from '../i18n'
import { setStatus, settleOpenActivities, type BoardState, type OpenActivitiesChoice as Choice } from '../lib/board'
import type { SyncedDoc } from '../lib/ydocs'
import { Icon, announce } from '../components/ui'
import './activities.css'

const ct = scoped('closeDeal')
const CHOICES: Choice[] = ['keep', 'done', 'delete']

/** How many open activities the deal has (what the question is about). */
export function openActivityCount(board: BoardState, cardId: string): number {
  return board.activities.filter((a) => a.card === cardId && !a.done).length
}

export function OpenActivitiesChoice({ count, value, onChange }: { count: number; value: Choice; onChange: (c: Choice) => void }) {
  if (count === 0) return null
  return (
    <fieldset class="choice-group" data-testid="open-activities-choice">
      <legend class="field__label">{ct('legend', { count })}</legend>
      {CHOICES.map((c) => (
        <label key={c} class="checkbox">
          <input type="radio" name="open-activities" value={c} checked={value === c} onChange={() => onChange(c)} />
          <span>{ct(c)}</span>
        </label>
      ))}
    </fieldset>
  )
}

/** The note an activity closed with its deal gets, in the reader's language. */
export function closedNote(status: 'won' | 'lost'): string {
  return status === 'won' ? ct('wonNote') : t('lostDialog.taskNote')
}

export function CloseDealDialog({ synced, board, cardId, status, moved = false, onClose }: {
  synced: SyncedDoc; board: BoardState; cardId: string; status: 'won' | 'lost'; moved?: boolean; onClose: () => void
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [count] = useState(() => openActivityCount(board, cardId))
  const [choice, setChoice] = useState<Choice>(status === 'lost' ? 'done' : 'keep')
  useEffect(() => dialog.current?.showModal(), [])
  const title = board.cards.get(cardId)?.title || t('common.untitled')
  function submit(event: Event) {
    event.preventDefault()
    if (moved) settleOpenActivities(synced.doc, board, cardId, choice, closedNote(status))
    else setStatus(synced.doc, board, cardId, status, { activities: choice, note: closedNote(status) })
    announce(moved ? ct(`settled_${choice}`, { count }) : t('deal.marked', { status: t(`statusTag.${status}`) }))
    dialog.current?.close()
  }
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="close-deal-title" onClose={onClose} onCancel={onClose}>
      <header class="dialog__header">
        <h2 id="close-deal-title">{moved ? ct(status === 'won' ? 'movedWon' : 'movedLost', { title }) : ct('titleWon')}</h2>
        <button class="icon-btn" aria-label={t('common.close')} onClick={() => dialog.current?.close()}><Icon name="close" /></button>
      </header>
      <form class="inline-form" onSubmit={submit}>
        <OpenActivitiesChoice count={count} value={choice} onChange={setChoice} />
        <div class="row">
          <button class="btn btn--primary" autoFocus>{moved ? ct('apply') : ct('submitWon')}</button>
          <button type="button" class="btn btn--ghost" onClick={() => dialog.current?.close()}>
            {moved ? ct('later') : t('common.cancel')}</button>
        </div>
      </form>
    </dialog>
  )
}
