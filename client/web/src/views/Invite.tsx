/** `/invite/<token>`: sign in (or up) if needed, then accept and open the workspace. */
import { useEffect, useState } from 'preact/hooks'
import { post, type Schemas } from '../lib/api'
import { navigate } from '../lib/router'
import { loadWorkspaces, me } from '../lib/session'
import { Spinner } from '../components/ui'
import { AuthPage } from './Auth'

export function InvitePage({ token }: { token: string }) {
  const [error, setError] = useState('')
  const [accepting, setAccepting] = useState(false)

  async function accept() {
    setAccepting(true)
    setError('')
    try {
      const membership = await post<Schemas['Membership']>('/api/invitations/accept', { token })
      await loadWorkspaces()
      navigate(`/w/${membership.workspace_id}`, { replace: true })
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
      setAccepting(false)
    }
  }

  useEffect(() => {
    if (me.value && !accepting && !error) void accept()
  }, [me.value])

  if (me.value === undefined) return <div class="center-page"><Spinner /></div>
  return (
    <main class="auth-page auth-page--single">
      <div class="auth-card">
        <div class="brand brand--large"><span class="brand__mark" aria-hidden="true" />Tandem</div>
        <h1 class="auth-card__title">You're invited</h1>
        {me.value ? (
          error ? (
            <>
              <p class="form-error" role="alert">This invitation could not be accepted: {error}</p>
              <p><a href="/">Go to your workspaces</a></p>
            </>
          ) : <p role="status">Joining the workspace as {me.value.name}…</p>
        ) : (
          <>
            <p class="muted">Sign in or create an account to join your team.</p>
            <AuthPage mode="signup" embedded onDone={() => void 0} />
          </>
        )}
      </div>
    </main>
  )
}
