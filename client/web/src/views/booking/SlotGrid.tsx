/**
 * The free times of a booking page, one week at a time (issue 18 item 6): earlier / later weeks,
 * then each day's free starts as buttons in the guest's own time zone. Used by the booking page
 * (`BookingPage`, to book) and the guest's manage page (`ManageBooking`, to move a booking); the
 * page fetches the week's slots (`weekOf`) and owns the pick.
 */
import { Spinner } from '../../components/ui'
import { scoped } from '../../i18n'

const bt = scoped('booking')
const DAYS = 7

/** The week ``offset`` weeks from now, as the slots request's ``from`` and ``to``. */
export function weekOf(offset: number): { from: string; to: string } {
  const from = new Date(Date.now() + offset * DAYS * 86400_000)
  return { from: from.toISOString(), to: new Date(from.getTime() + DAYS * 86400_000).toISOString() }
}

function dayKey(iso: string, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso))
}

interface Props {
  slots: string[] | null // null while the week loads
  zone: string // the guest's
  offset: number
  onOffset: (offset: number) => void
  picked: string | null
  onPick: (start: string) => void
  unavailable?: string // a start shown but not pickable (the booking's own time when moving it)
}

export function SlotGrid({ slots, zone, offset, onOffset, picked, onPick, unavailable }: Props) {
  const time = new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: '2-digit', minute: '2-digit' })
  const dayName = new Intl.DateTimeFormat(undefined, { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long' })
  const byDay = new Map<string, string[]>()
  for (const s of slots ?? []) byDay.set(dayKey(s, zone), [...(byDay.get(dayKey(s, zone)) ?? []), s])
  return (
    <>
      <div class="row booking__weeks">
        <button type="button" class="btn btn--ghost" disabled={offset === 0} onClick={() => onOffset(offset - 1)}>{bt('earlier')}</button>
        <button type="button" class="btn btn--ghost" onClick={() => onOffset(offset + 1)}>{bt('later')}</button>
      </div>
      {slots === null ? <Spinner label={bt('loading')} /> : byDay.size === 0 ? <p class="muted">{bt('none')}</p> : (
        <div class="booking__days" role="group" aria-label={bt('times')} data-testid="slot-grid">
          {[...byDay.entries()].map(([day, starts]) => (
            <section key={day} class="booking__day">
              <h2 class="booking__day-title">{dayName.format(new Date(starts[0]))}</h2>
              <div class="booking__slots">
                {starts.map((s) => (
                  <button key={s} type="button" class={`btn booking__slot ${s === picked ? 'btn--primary' : ''}`} aria-pressed={s === picked}
                    disabled={s === unavailable} onClick={() => onPick(s)}>{time.format(new Date(s))}</button>
                ))}
              </div>
            </section>
          ))}
        </div>
      )}
    </>
  )
}
