/**
 * "Mark this deal lost": a reason from the workspace's list (Settings → Lost reasons) or typed,
 * and what becomes of the deal's open activities (keep / mark done — the default — / delete;
 * CloseDealDialog.tsx). Confirming moves the deal to the board's Lost column, as the API does, in
 * one Yjs transaction with the activities.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { t } from '../i18n'
import { setStatus, type BoardState, type OpenActivitiesChoice as Choice } from '../lib/board'
import { loadPickLists, pickLists } from '../lib/lists'
import { workspaceId } from '../lib/session'
import type { SyncedDoc } from '../lib/ydocs'
import { Icon, announce } from '../components/ui'
import { OpenActivitiesChoice } from './CloseDealDialog'

const OTHER = '\u0000other'

export function LostDialog({ synced, board, cardId, onClose }: { synced: SyncedDoc; board: BoardState; cardId: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const open = board.activities.filter((a) => a.card === cardId && !a.done).length
  const [choice, setChoice] = useState('')
  const [typed, setTyped] = useState('')
  const [activities, setActivities] = useState<Choice>('done')
  useEffect(() => {
    dialog.current?.showModal()
    if (workspaceId.value) loadPickLists(workspaceId.value).catch(() => null) // a viewer's or guest's list may be out of reach
  }, [])
  const reasons = pickLists.value?.lost_reasons ?? []
  const other = choice === OTHER || reasons.length === 0
  function submit(event: Event) {
    event.preventDefault()
    const lostReason = (other ? typed : choice).trim()
    setStatus(synced.doc, board, cardId, 'lost', { lostReason, activities, note: t('lostDialog.taskNote') })
    announce(t('deal.marked', { status: t('statusTag.lost') }))
    dialog.current?.close()
  }
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="lost-title" onClose={onClose} onCancel={onClose}>
      <header class="dialog__header">
        <h2 id="lost-title">{t('lostDialog.title')}</h2>
        <button class="icon-btn" aria-label={t('common.close')} onClick={() => dialog.current?.close()}><Icon name="close" /></button>
      </header>
      <form class="inline-form" onSubmit={submit}>
        {reasons.length > 0 && (
          <label class="field"><span class="field__label">{t('lostDialog.reason')}</span>
            <select value={choice} onChange={(e) => setChoice((e.target as HTMLSelectElement).value)} autoFocus>
              <option value="">{t('lostDialog.pick')}</option>
              {reasons.map((r) => <option key={r} value={r}>{r}</option>)}
              <option value={OTHER}>{t('lostDialog.other')}</option>
            </select>
          </label>
        )}
        {other && (
          <label class="field"><span class="field__label">{t('lostDialog.otherLabel')}</span>
            <input value={typed} maxLength={1000} placeholder={t('lostDialog.otherPlaceholder')} autoFocus={reasons.length === 0}
              onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
          </label>
        )}
        {reasons.length === 0 && <p class="muted small">{t('lostDialog.noReasons')}</p>}
        <OpenActivitiesChoice count={open} value={activities} onChange={setActivities} />
        <div class="row">
          <button class="btn btn--danger-solid">{t('lostDialog.submit')}</button>
          <button type="button" class="btn btn--ghost" onClick={() => dialog.current?.close()}>{t('common.cancel')}</button>
        </div>
      </form>
    </dialog>
  )
}
