/**
 * The calendar's activity popover (issue 18): the attendees button on an entry opens it — when and
 * where, the board and deal, and who attends (`components/ActivityAttendees.tsx`: colleagues and
 * contacts, added and removed here as in the deal panel). Attendees live in SQL, not in the board
 * document, so a change here notes `activities:<board>` in the workspace feed and every open
 * calendar refetches (a colleague now attending sees the activity); CalDAV sync writes them as
 * ATTENDEEs (docs/caldav.md). One dialog for the page, opened through a signal so the grid's entries
 * need no extra props. A cancelled occurrence (shown struck through) and the single activity a
 * moved one became offer "Restore to the series".
 */
import { signal } from '@preact/signals'
import { useEffect, useRef } from 'preact/hooks'
import { post, type Schemas } from '../../lib/api'
import { browserZone, isoToWall } from '../../lib/calendar'
import { shortDate } from '../../lib/format'
import { canEdit, isGuest } from '../../lib/session'
import { t, scoped } from '../../i18n'
import { Icon, announce, toastError } from '../../components/ui'
import { ActivityAttendees } from '../../components/ActivityAttendees'
import './entry-details.css'

type Entry = Schemas['CalendarEntry']
const at = scoped('attendees')

/** The entry whose popover is open (null: none). */
export const openEntry = signal<Entry | null>(null)

/** The button on a calendar entry that opens its popover. */
export function DetailsButton({ entry }: { entry: Entry }) {
  const label = entry.cancelled ? t('series.cancelledEntry', { title: entry.title, day: shortDate(entry.day) }) : at('label', { title: entry.title })
  return (
    <button type="button" class="calendar__details" aria-label={label} title={label}
      aria-haspopup="dialog" data-testid="calendar-entry-details" onClick={() => { openEntry.value = entry }}>
      <Icon name="people" size={12} />
    </button>
  )
}

/** A cancelled occurrence, or the single activity a moved one became, goes back into its series:
 * the exception is removed (and the move's activity deleted), so the feed and CalDAV follow. */
function Restore({ entry: e, onDone }: { entry: Entry; onDone: () => void }) {
  const from = e.cancelled ? { series: e.id, day: e.day } : e.moved_from
  if (!from) return null
  const restore = async () => {
    try {
      await post(`/api/boards/${e.board}/activities/${from.series}/occurrences/${from.day}/restore`)
      announce(t('series.restored', { title: e.title, day: shortDate(from.day) }))
      onDone()
    } catch (err) { toastError(err) }
  }
  return (
    <div class="calendar__restore" data-testid="occurrence-restore">
      <p>{e.cancelled ? t('series.isCancelled') : t('series.isMoved', { day: shortDate(from.day) })}</p>
      {canEdit.value && <button type="button" class="btn btn--primary" onClick={() => void restore()}>{t('series.restore')}</button>}
    </div>
  )
}

export function EntryDetails({ onChanged }: { onChanged?: () => void }) {
  const e = openEntry.value
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => { if (e) dialog.current?.showModal() }, [e?.id, e?.day])
  if (!e) return null
  const close = () => { openEntry.value = null; onChanged?.() }
  const timed = !!e.start && !e.all_day
  const wall = (iso: string) => isoToWall(iso, browserZone())
  const when = timed ? `${shortDate(wall(e.start!).day)} ${wall(e.start!).time}${e.end ? `–${wall(e.end).time}` : ''}` : `${shortDate(e.day)} · ${t('calendar.allDay')}`
  const href = e.card ? `/w/${e.workspace}/boards/${e.board}/deals/${e.card}` : `/w/${e.workspace}/boards/${e.board}`
  return (
    <dialog ref={dialog} class="dialog calendar__popover" aria-labelledby="entry-details-title" onClose={close} onCancel={close}
      data-testid="calendar-entry-popover">
      <header class="dialog__header">
        <h2 id="entry-details-title"><Icon name={e.type} size={16} /> {e.title}{e.recurrence && <span aria-label={t('calendar.repeats')}> ↻</span>}</h2>
        <button class="icon-btn" aria-label={t('common.close')} onClick={() => dialog.current?.close()}><Icon name="close" /></button>
      </header>
      <p class="calendar__popover-when">{when}{e.location ? ` · ${e.location}` : ''}</p>
      <p class="muted small"><a href={href}>{[e.card_title, e.board_name].filter(Boolean).join(' · ')}</a></p>
      <Restore entry={e} onDone={() => dialog.current?.close()} />
      {!e.cancelled && <ActivityAttendees board={e.board} activity={e.id} title={e.title} writable={canEdit.value || isGuest.value} />}
    </dialog>
  )
}
