/**
 * Settings › Booking, "Waiting for you" (issue 18 item 6): bookings made on a link with approval,
 * waiting for the host. Confirm makes the meeting and mails the guest the invitation; decline frees
 * the time and tells the guest. Each request's time is held for everyone meanwhile. The bell's entry
 * for a request links here (`?request=<id>`): that request is scrolled to and marked.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, get } from '../../lib/api'
import { scoped } from '../../i18n'
import { announce, toastError } from '../../components/ui'

const bt = scoped('booking')
/** GET /api/me/booking/requests (server/api/booking_types.py BookingRequest). */
interface Request { id: string; start: string; end: string; guest_name: string; guest_email: string; note: string | null }

export function BookingRequests() {
  const [requests, setRequests] = useState<Request[] | null>(null)
  const [busy, setBusy] = useState('')
  useEffect(() => { get<Request[]>('/api/me/booking/requests').then(setRequests, toastError) }, [])
  const asked = new URLSearchParams(location.search).get('request')
  const target = asked ? `request-${asked}` : ''
  useEffect(() => { if (target && requests) document.getElementById(target)?.scrollIntoView({ block: 'center' }) }, [requests, target])
  const when = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })

  async function decide(request: Request, verb: 'confirm' | 'decline') {
    setBusy(request.id)
    try {
      await api('POST', `/api/me/booking/requests/${request.id}/${verb}`)
      setRequests((all) => (all ?? []).filter((r) => r.id !== request.id))
      announce(bt(verb === 'confirm' ? 'confirmed' : 'declined', { name: request.guest_name }))
    } catch (e) {
      toastError(e)
    } finally {
      setBusy('')
    }
  }

  if (requests === null) return null
  return (
    <section class="booking-requests" aria-labelledby="booking-requests-title" data-testid="booking-requests">
      <h2 id="booking-requests-title" class="booking-requests__title">{bt('requestsTitle')}</h2>
      {requests.length === 0 ? <p class="muted">{bt('requestsNone')}</p> : (
        <ul class="booking-requests__list">
          {requests.map((r) => (
            <li key={r.id} id={`request-${r.id}`} class={`booking-requests__item${target === `request-${r.id}` ? ' booking-requests__item--target' : ''}`}>
              <div>
                <strong>{r.guest_name}</strong> <span class="muted">{r.guest_email}</span>
                <div>{when.format(new Date(r.start))} – {new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(new Date(r.end))}</div>
                {r.note && <div class="muted small">{r.note}</div>}
              </div>
              <div class="row">
                <button type="button" class="btn btn--primary" disabled={busy === r.id} onClick={() => void decide(r, 'confirm')}
                  aria-label={bt('confirmOf', { name: r.guest_name })}>{bt('confirm')}</button>
                <button type="button" class="btn btn--danger" disabled={busy === r.id} onClick={() => void decide(r, 'decline')}
                  aria-label={bt('declineOf', { name: r.guest_name })}>{bt('decline')}</button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
