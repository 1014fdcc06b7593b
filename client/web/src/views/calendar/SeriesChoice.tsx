/**
 * Moving an occurrence of a repeating activity asks (issue 18): move only this one — it leaves the
 * series (an exception, EXDATE) and a single activity takes its place — or the whole series.
 */
import { useEffect, useRef } from 'preact/hooks'
import type { Schemas } from '../../lib/api'
import { shortDate } from '../../lib/format'
import { t } from '../../i18n'
import { Icon } from '../../components/ui'

export function SeriesChoice({ entry, onOne, onAll, onClose }: {
  entry: Schemas['CalendarEntry']; onOne: () => void; onAll: () => void; onClose: () => void
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => dialog.current?.showModal(), [])
  const pick = (then: () => void) => () => { then(); dialog.current?.close() }
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="series-title" onClose={onClose} onCancel={onClose} data-testid="series-choice">
      <header class="dialog__header">
        <h2 id="series-title">{t('series.title', { title: entry.title })}</h2>
        <button class="icon-btn" aria-label={t('common.close')} onClick={() => dialog.current?.close()}><Icon name="close" /></button>
      </header>
      <p class="muted">{t('series.hint', { day: shortDate(entry.day) })}</p>
      <div class="row">
        <button class="btn btn--primary" autoFocus onClick={pick(onOne)}>{t('series.one')}</button>
        <button class="btn" onClick={pick(onAll)}>{t('series.all')}</button>
        <button class="btn btn--ghost" onClick={() => dialog.current?.close()}>{t('common.cancel')}</button>
      </div>
    </dialog>
  )
}
