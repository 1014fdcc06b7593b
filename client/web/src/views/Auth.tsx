/** Sign in and sign up: one card, two modes. After success, continue to `?next=` or the workspace. */
import { useState } from 'preact/hooks'
import { navigate, queryParam } from '../lib/router'
import { signIn, signUp } from '../lib/session'
import { t } from '../i18n'
import { LanguagePicker } from '../components/language'
import { PASSWORD_MAX, PASSWORD_MIN } from './PasswordReset'

export function AuthPage({ mode, onDone, embedded = false }: { mode: 'signin' | 'signup'; onDone?: () => void; embedded?: boolean }) {
  const [current, setMode] = useState(mode)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const signup = current === 'signup'
  const reset = !signup && queryParam('reset') === 'done' // back from /reset/<token>: every session ended

  async function submit(event: Event) {
    event.preventDefault()
    const form = new FormData(event.currentTarget as HTMLFormElement)
    setBusy(true)
    setError('')
    try {
      const email = String(form.get('email') ?? '')
      const password = String(form.get('password') ?? '')
      if (signup) await signUp(String(form.get('name') ?? ''), email, password)
      else await signIn(email, password)
      if (onDone) onDone()
      else navigate(queryParam('next') || '/', { replace: true })
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  const card = (
    <div class="auth-card">
      {!embedded && <div class="brand brand--large"><span class="brand__mark" aria-hidden="true" />Tandem</div>}
      <h1 class="auth-card__title">{signup ? t('auth.signupTitle') : t('auth.signinTitle')}</h1>
      <p class="muted">{signup ? t('auth.signupLead') : t('auth.signinLead')}</p>
      {reset && <p class="notice auth-card__notice" role="status">{t('passwordReset.done')}</p>}
      <form class="stack" onSubmit={submit} aria-describedby={error ? 'auth-error' : undefined}>
        {signup && (
          <label class="field"><span class="field__label">{t('auth.fullName')}</span>
            <input name="name" autocomplete="name" required maxLength={100} /></label>
        )}
        <label class="field"><span class="field__label">{t('auth.email')}</span>
          <input name="email" type="email" autocomplete="email" required /></label>
        <label class="field"><span class="field__label">{t('auth.password')}</span>
          <input name="password" type="password" autocomplete={signup ? 'new-password' : 'current-password'} required
            minLength={signup ? PASSWORD_MIN : 1} maxLength={PASSWORD_MAX} aria-describedby={signup ? 'auth-rule' : undefined} /></label>
        {signup && <p id="auth-rule" class="muted reset-rule">{t('passwordReset.rule', { min: PASSWORD_MIN, max: PASSWORD_MAX })}</p>}
        {!signup && <a href="/forgot" class="link auth-card__forgot">{t('passwordReset.forgot')}</a>}
        {error && <p id="auth-error" class="form-error" role="alert">{error}</p>}
        <button class="btn btn--primary btn--block" disabled={busy}>{busy ? t('common.pleaseWait') : signup ? t('auth.createAccount') : t('auth.signIn')}</button>
      </form>
      <p class="auth-card__switch">
        {signup ? t('auth.haveAccount') : t('auth.newHere')}
        <button type="button" class="link" onClick={() => { setMode(signup ? 'signin' : 'signup'); setError('') }}>
          {signup ? t('auth.signIn') : t('auth.createAnAccount')}
        </button>
      </p>
    </div>
  )
  if (embedded) return card
  return <main class="auth-page"><LanguagePicker id="auth-language" compact />{card}<Showcase /></main>
}

function Showcase() {
  return (
    <aside class="auth-showcase" aria-hidden="true">
      <div class="auth-showcase__inner">
        <h2>{t('auth.showcaseTitle')}</h2>
        <p>{t('auth.showcaseText')}</p>
        <ul>
          <li>{t('auth.showcaseLive')}</li>
          <li>{t('auth.showcaseNotes')}</li>
          <li>{t('auth.showcaseOffline')}</li>
        </ul>
      </div>
    </aside>
  )
}
