/**
 * `/book/<slug>` (issue 18 item 6): a host's public booking page, no sign-in. The guest picks a
 * meeting length and a free time — shown in their own (the browser's) time zone, the host's zone
 * named — then enters name, e-mail and a note, and books. A time someone else took meanwhile says
 * so (409) and the free times are fetched again.
 */
import { useEffect, useState } from 'preact/hooks'
import { ApiError, api, get, query, type Schemas } from '../../lib/api'
import { locale, scoped } from '../../i18n'
import { Spinner } from '../../components/ui'
import { SlotGrid, weekOf } from './SlotGrid'
import './booking.css'

const bt = scoped('booking')
type Page = Schemas['BookingPage']
/** status, host_name and manage came with team links, approval and the guest's link (0037). */
type Made = Schemas['BookingMade'] & { status?: string; host_name?: string; manage?: string }

export function BookingPage({ slug }: { slug: string }) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
  const [page, setPage] = useState<Page | null | 'missing'>(null)
  const [duration, setDuration] = useState(0)
  const [offset, setOffset] = useState(0) // weeks from now
  const [slots, setSlots] = useState<string[] | null>(null)
  const [picked, setPicked] = useState<string | null>(null)
  const [error, setError] = useState('')
  const [made, setMade] = useState<Made | null>(null)
  const [busy, setBusy] = useState(false)
  const base = `/api/booking/${encodeURIComponent(slug)}`

  useEffect(() => {
    get<Page>(base).then((p) => { setPage(p); setDuration(p.durations[0]) }, () => setPage('missing'))
  }, [slug])

  async function load() {
    setSlots(null)
    try {
      const found = await get<Schemas['BookingSlots']>(`${base}/slots${query({ ...weekOf(offset), duration })}`)
      setSlots(found.slots)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
      setSlots([])
    }
  }
  useEffect(() => { if (duration) void load() }, [duration, offset])

  async function book(event: Event) {
    event.preventDefault()
    const form = new FormData(event.currentTarget as HTMLFormElement)
    setBusy(true)
    setError('')
    try {
      setMade(await api<Made>('POST', base, {
        start: picked, duration, name: String(form.get('name') ?? ''), email: String(form.get('email') ?? ''),
        note: String(form.get('note') ?? '') || null, locale: locale.value,  // the guest's mails in the page's language
      }))
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

  if (page === null) return <div class="center-page"><Spinner label={bt('loading')} /></div>
  if (page === 'missing') {
    return <Frame title={bt('missingTitle')}><p>{bt('missingBody')}</p></Frame>
  }
  const time = new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: '2-digit', minute: '2-digit' })
  const dayName = new Intl.DateTimeFormat(undefined, { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long' })
  if (made) {
    return (
      <Frame title={made.status === 'requested' ? bt('requestedTitle') : bt('bookedTitle')}>
        <p role="status" data-testid="booking-done">{bt(made.status === 'requested' ? 'requestedBody' : 'bookedBody', { name: made.host_name || page.host_name, when: `${dayName.format(new Date(made.start))}, ${time.format(new Date(made.start))}` })}</p>
        <p class="muted">{made.mailed ? bt('mailed') : bt('notMailed')}</p>
        {made.manage && (
          <p>{bt('manageHint')} <a href={`/booking/${made.manage}`} data-testid="booking-manage-link">{bt('manageLink')}</a></p>
        )}
      </Frame>
    )
  }
  return (
    <Frame title={bt('title', { name: page.host_name })}>
      {page.title && <p class="booking__link-title" data-testid="booking-title">{page.title}</p>}
      <p class="muted" data-testid="booking-zones">{bt('zones', { mine: zone, host: page.time_zone })}</p>
      <fieldset class="booking__durations">
        <legend class="field__label">{bt('duration')}</legend>
        <div class="row row--wrap">
          {page.durations.map((d) => (
            <button key={d} type="button" class={`btn ${d === duration ? 'btn--primary' : ''}`} aria-pressed={d === duration}
              onClick={() => { setDuration(d); setPicked(null) }}>{bt('minutes', { count: d })}</button>
          ))}
        </div>
      </fieldset>
      {error && <p class="form-error" role="alert">{error}</p>}
      <SlotGrid slots={slots} zone={zone} offset={offset} onOffset={setOffset} picked={picked}
        onPick={(s) => { setPicked(s); setError('') }} />
      {picked && (
        <form class="stack booking__form" onSubmit={(e) => void book(e)}>
          <p><strong>{bt('picked', { when: `${dayName.format(new Date(picked))}, ${time.format(new Date(picked))}` })}</strong></p>
          <label class="field"><span class="field__label">{bt('name')}</span>
            <input name="name" autocomplete="name" required maxLength={200} /></label>
          <label class="field"><span class="field__label">{bt('email')}</span>
            <input name="email" type="email" autocomplete="email" required maxLength={254} /></label>
          <label class="field"><span class="field__label">{bt('note')}</span>
            <textarea name="note" rows={3} maxLength={2000} /></label>
          <button class="btn btn--primary btn--block" disabled={busy}>{busy ? bt('booking') : bt('book')}</button>
        </form>
      )}
    </Frame>
  )
}

/** The public booking pages' card: the brand, a heading, the page (also the guest's manage page). */
export function Frame({ title, children, testId = 'booking-page' }: { title: string; children: preact.ComponentChildren; testId?: string }) {
  return (
    <main class="auth-page auth-page--single">
      <div class="auth-card booking" data-testid={testId}>
        <div class="brand brand--large"><span class="brand__mark" aria-hidden="true" />Tandem</div>
        <h1 class="auth-card__title">{title}</h1>
        {children}
      </div>
    </main>
  )
}
