/**
 * `/booking/<token>` (issue 18 item 6): the guest's own booking through the secret link they got on
 * the done page and in the confirmation e-mail. No sign-in. They see when and with whom, and may
 * cancel it (the host is told, the meeting removed) or move it to another of the host's free times
 * (the same length; a time taken meanwhile says so). A forged or used-up link shows "no booking".
 */
import { useEffect, useState } from 'preact/hooks'
import { ApiError, api, get, query } from '../../lib/api'
import { scoped } from '../../i18n'
import { Spinner } from '../../components/ui'
import { Frame } from './BookingPage'
import { SlotGrid, weekOf } from './SlotGrid'
import './booking.css'

const bt = scoped('booking')
/** The answer of GET /api/booking-manage/<token> (server/api/booking_types.py ManagedBooking). */
interface Managed { start: string; end: string; status: string; host_name: string; time_zone: string; duration: number; slug: string }

export function ManageBooking({ token }: { token: string }) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
  const base = `/api/booking-manage/${encodeURIComponent(token)}`
  const [booking, setBooking] = useState<Managed | null | 'missing'>(null)
  const [moving, setMoving] = useState(false)
  const [offset, setOffset] = useState(0)
  const [slots, setSlots] = useState<string[] | null>(null)
  const [picked, setPicked] = useState<string | null>(null)
  const [done, setDone] = useState<'cancelled' | 'moved' | null>(null)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)

  useEffect(() => { get<Managed>(base).then(setBooking, () => setBooking('missing')) }, [token])

  async function load() {
    setSlots(null)
    try {
      setSlots((await get<{ slots: string[] }>(`${base}/slots${query(weekOf(offset))}`)).slots)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
      setSlots([])
    }
  }
  useEffect(() => { if (moving) void load() }, [moving, offset])

  async function cancel() {
    if (!confirm(bt('cancelConfirm'))) return
    setBusy(true)
    setError('')
    try {
      await api('DELETE', base)
      setDone('cancelled')
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  async function move() {
    setBusy(true)
    setError('')
    try {
      const made = await api<{ start: string; end: string }>('POST', `${base}/move`, { start: picked })
      setBooking({ ...(booking as Managed), start: made.start, end: made.end })
      setDone('moved')
      setMoving(false)
      setPicked(null)
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        setError(bt('taken'))
        setPicked(null)
        void load()
      } else setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  if (booking === null) return <div class="center-page"><Spinner label={bt('loading')} /></div>
  if (booking === 'missing') return <ManageFrame title={bt('manageMissingTitle')}><p>{bt('manageMissingBody')}</p></ManageFrame>
  const time = new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: '2-digit', minute: '2-digit' })
  const dayName = new Intl.DateTimeFormat(undefined, { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long' })
  const when = (iso: string) => `${dayName.format(new Date(iso))}, ${time.format(new Date(iso))}`
  if (done === 'cancelled') {
    return (
      <ManageFrame title={bt('cancelledTitle')}>
        <p role="status" data-testid="booking-cancelled">{bt('cancelledBody', { name: booking.host_name })}</p>
        <p><a href={`/book/${booking.slug}`}>{bt('bookAgain')}</a></p>
      </ManageFrame>
    )
  }
  return (
    <ManageFrame title={bt('manageTitle', { name: booking.host_name })}>
      {done === 'moved' && <p class="notice" role="status" data-testid="booking-moved">{bt('movedBody', { when: when(booking.start) })}</p>}
      <p data-testid="booking-when"><strong>{when(booking.start)}</strong> · {bt('minutes', { count: booking.duration })}</p>
      <p class="muted">{booking.status === 'requested' ? bt('requestedState', { name: booking.host_name }) : bt('confirmedState')}</p>
      <p class="muted small">{bt('zones', { mine: zone, host: booking.time_zone })}</p>
      {error && <p class="form-error" role="alert">{error}</p>}
      <div class="row row--wrap">
        <button type="button" class="btn" aria-expanded={moving} onClick={() => { setMoving(!moving); setPicked(null) }}>{bt('reschedule')}</button>
        <button type="button" class="btn btn--danger" disabled={busy} onClick={() => void cancel()}>{bt('cancel')}</button>
      </div>
      {moving && (
        <section class="booking__move" aria-label={bt('times')}>
          <SlotGrid slots={slots} zone={zone} offset={offset} onOffset={setOffset} picked={picked}
            onPick={(s) => { setPicked(s); setError('') }} unavailable={booking.start} />
          {picked && (
            <div class="booking__form stack">
              <p><strong>{bt('picked', { when: when(picked) })}</strong></p>
              <button type="button" class="btn btn--primary btn--block" disabled={busy} onClick={() => void move()}>{bt('moveHere')}</button>
            </div>
          )}
        </section>
      )}
    </ManageFrame>
  )
}

const ManageFrame = (props: { title: string; children: preact.ComponentChildren }) => <Frame {...props} testId="booking-manage" />
