/** The top of the app: pick the page for the path, once we know who is signed in. */
import { useEffect } from 'preact/hooks'
import { patch } from '../lib/api'
import { match, navigate, path } from '../lib/router'
import { enterWorkspace, lastWorkspace, loadSession, me, workspaceId, workspaces } from '../lib/session'
import { LiveRegion, Spinner, Toasts, toastError } from '../components/ui'
import { adoptUser, t } from '../i18n'
import { AuthPage } from './Auth'
import { InvitePage } from './Invite'
import { ForgotPasswordPage, ResetPasswordPage } from './PasswordReset'
import { GuestInvitePage } from './GuestInvite'
import { BookingPage } from './booking/BookingPage'
import { ManageBooking } from './booking/ManageBooking'
import { Onboarding } from './Onboarding'
import { Shell } from './Shell'

export function App() {
  useEffect(() => {
    loadSession().catch(toastError)
  }, [])
  const user = me.value === undefined ? undefined : me.value?.id ?? null
  useEffect(() => {
    // the language this person chose (kept by the server, else before in this browser)
    if (user !== undefined) adoptUser(me.peek() ?? null, (locale) => patch('/api/me', { locale }))
  }, [user])
  return (
    <>
      <Page />
      <LiveRegion />
      <Toasts />
    </>
  )
}

function Page() {
  const current = path.value
  const invite = match('/invite/:token', current)
  if (invite) return <InvitePage token={invite.token} />
  const guest = match('/guest/:token', current)
  if (guest) return <GuestInvitePage token={guest.token} />
  const booking = match('/book/:slug', current)
  if (booking) return <BookingPage slug={booking.slug} />
  const managed = match('/booking/:token', current)
  if (managed) return <ManageBooking token={managed.token} />
  const reset = match('/reset/:token', current)
  if (reset) return <ResetPasswordPage token={reset.token} />
  if (current === '/forgot') return <ForgotPasswordPage />
  if (me.value === undefined) return <div class="center-page"><Spinner label={t('app.loading')} /></div>
  if (current === '/signup') return <AuthPage mode="signup" />
  if (me.value === null) return <AuthPage mode="signin" />
  const ws = match('/w/:ws/*', current)
  if (!ws) return <Redirect />
  return <WorkspaceGate id={ws.ws} />
}

function Redirect() {
  const target = lastWorkspace()
  useEffect(() => {
    if (target) navigate(`/w/${target}`, { replace: true })
  }, [target])
  if (!target) return <Onboarding />
  return null
}

function WorkspaceGate({ id }: { id: string }) {
  const known = workspaces.value.some((w) => w.id === id)
  useEffect(() => {
    if (known) enterWorkspace(id).catch(toastError)
  }, [id, known])
  if (!known) {
    return workspaces.value.length
      ? <div class="center-page"><p>{t('app.unavailable')} <a href="/">{t('app.toWorkspaces')}</a></p></div>
      : <Onboarding />
  }
  if (workspaceId.value !== id) return <div class="center-page"><Spinner /></div>
  return <Shell />
}
