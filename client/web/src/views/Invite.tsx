/** `/invite/<token>`: sign in (or up) if needed, then accept and open the workspace. */
import { useEffect, useState } from 'preact/hooks'
import { post, type Schemas } from '../lib/api'
import { navigate } from '../lib/router'
import { loadWorkspaces, me } from '../lib/session'
import { Spinner } from '../components/ui'
import { AuthPage } from './Auth'
import { t } from '../i18n'
import { LanguagePicker } from '../components/language'

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
      <LanguagePicker id="auth-language" compact />
      <div class="auth-card">
        <div class="brand brand--large"><span class="brand__mark" aria-hidden="true" />Tandem</div>
        <h1 class="auth-card__title">{t('invite.title')}</h1>
        {me.value ? (
          error ? (
            <>
              <p class="form-error" role="alert">{t('invite.failed', { error })}</p>
              <p><a href="/">{t('app.toWorkspaces')}</a></p>
            </>
          ) : <p role="status">{t('invite.joining', { name: me.value.name })}</p>
        ) : (
          <>
            <p class="muted">{t('invite.lead')}</p>
            <AuthPage mode="signup" embedded onDone={() => void 0} />
          </>
        )}
      </div>
    </main>
  )
}
