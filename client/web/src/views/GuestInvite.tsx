/**
 * `/guest/<token>`: the page of an invitation by link. A partner a board was shared with signs up
 * here (name and password; the e-mail address is the invitation's), or signs in if they have an
 * account by now, and lands on the shared board. A link that was used, cancelled or expired says
 * so in plain words.
 */
import { useEffect, useState } from 'preact/hooks'
import { post, type Schemas } from '../lib/api'
import { navigate } from '../lib/router'
import { loadWorkspaces, me, signIn, signUp } from '../lib/session'
import { gt } from '../i18n'
import { Spinner } from '../components/ui'

type Preview = Schemas['InvitationPreview']

export function GuestInvitePage({ token }: { token: string }) {
  const [preview, setPreview] = useState<Preview | null | 'invalid'>(null)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    post<Preview>('/api/guest-invitations/lookup', { token }).then(setPreview, () => setPreview('invalid'))
  }, [token])

  const user = me.value
  const mine = preview && preview !== 'invalid' && user && user.email === preview.email
  useEffect(() => {
    if (mine) void accept()
  }, [mine])

  async function accept() {
    setError('')
    try {
      const board = await post<Schemas['Board']>('/api/guest-invitations/accept', { token })
      await loadWorkspaces()
      navigate(`/w/${board.workspace_id}/boards/${board.id}`, { replace: true })
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }

  async function submit(event: Event, invitation: Preview) {
    event.preventDefault()
    const form = new FormData(event.currentTarget as HTMLFormElement)
    setBusy(true)
    setError('')
    try {
      const password = String(form.get('password') ?? '')
      if (invitation.has_account) await signIn(invitation.email, password)
      else await signUp(String(form.get('name') ?? ''), invitation.email, password)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  async function switchAccount() {
    await post('/api/auth/logout').catch(() => null)
    me.value = null
  }

  if (preview === null || user === undefined) return <div class="center-page"><Spinner label={gt('pleaseWait')} /></div>
  if (preview === 'invalid') {
    return (
      <Card title={gt('invalidTitle')}>
        <p>{gt('invalidBody')}</p>
        <p><a class="btn btn--ghost" href="/">{gt('toTandem')}</a></p>
      </Card>
    )
  }
  const title = preview.invited_by
    ? gt('invitedTitle', { inviter: preview.invited_by, board: preview.board_name })
    : gt('invitedTitleNoName', { board: preview.board_name })
  return (
    <Card title={title}>
      <p class="guest-invite__scope" data-testid="guest-scope">{gt('invitedIntro', { workspace: preview.workspace_name })}</p>
      <p class="muted">{preview.access === 'edit' ? gt('accessEdit') : gt('accessRead')}</p>
      {user ? (
        mine ? (
          error ? <p class="form-error" role="alert">{error}</p>
            : <p role="status">{gt('opening', { board: preview.board_name, name: user.name })}</p>
        ) : (
          <>
            <p class="form-error" role="alert">{gt('wrongAccount', { email: preview.email, me: user.email })}</p>
            <button class="btn btn--primary btn--block" onClick={() => void switchAccount()}>{gt('signOutAndContinue')}</button>
          </>
        )
      ) : (
        <form class="stack" onSubmit={(e) => void submit(e, preview)} aria-describedby={error ? 'guest-error' : undefined}>
          {preview.has_account
            ? <p>{gt('hasAccount', { email: preview.email })}</p>
            : <h2 class="guest-invite__form-title">{gt('createAccount')}</h2>}
          {!preview.has_account && (
            <label class="field"><span class="field__label">{gt('name')}</span>
              <input name="name" autocomplete="name" required maxLength={100} /></label>
          )}
          <label class="field"><span class="field__label">{gt('email')}</span>
            <input name="email" type="email" value={preview.email} readOnly aria-describedby="guest-email-hint" />
            <span id="guest-email-hint" class="field__hint">{gt('emailFixed')}</span></label>
          <label class="field"><span class="field__label">{gt('password')}</span>
            <input name="password" type="password" required autocomplete={preview.has_account ? 'current-password' : 'new-password'}
              minLength={preview.has_account ? 1 : 8} aria-describedby={preview.has_account ? undefined : 'guest-password-hint'} />
            {!preview.has_account && <span id="guest-password-hint" class="field__hint">{gt('passwordHint')}</span>}</label>
          {error && <p id="guest-error" class="form-error" role="alert">{error}</p>}
          <button class="btn btn--primary btn--block" disabled={busy}>
            {busy ? gt('pleaseWait') : preview.has_account ? gt('signInAndOpen') : gt('signUpAndOpen')}
          </button>
        </form>
      )}
    </Card>
  )
}

function Card({ title, children }: { title: string; children: preact.ComponentChildren }) {
  return (
    <main class="auth-page auth-page--single">
      <div class="auth-card guest-invite" data-testid="guest-invite">
        <div class="brand brand--large"><span class="brand__mark" aria-hidden="true" />Tandem</div>
        <h1 class="auth-card__title">{title}</h1>
        {children}
      </div>
    </main>
  )
}
