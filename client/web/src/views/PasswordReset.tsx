/**
 * "Forgot your password?" (`/forgot`) and the mailed link's page (`/reset/<token>`), docs/accounts.md.
 *
 * Asking always answers the same, whether an account exists or not (no account enumeration); a
 * server without mail says so, since no link could arrive. The reset page asks for the new password
 * twice under the sign-up rule; a used or expired link offers to ask again; success ends every
 * session (the server's doing) and lands on sign-in with a notice. The server answers `/reset/…`
 * with `Referrer-Policy: no-referrer`, and the token is never put in the page title.
 */
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, post, type Schemas } from '../lib/api'
import { navigate } from '../lib/router'
import { me, workspaces } from '../lib/session'
import { scoped, t } from '../i18n'
import { LanguagePicker } from '../components/language'
import './passwordReset.css'

const pt = scoped('passwordReset')
/** The server's rule (server/domain/accounts.py MIN_PASSWORD, MAX_PASSWORD), shown and checked here first. */
export const PASSWORD_MIN = 10
export const PASSWORD_MAX = 256

type Asked = { email: string; answer: Schemas['ResetRequested'] }

export function ForgotPasswordPage() {
  const [asked, setAsked] = useState<Asked | null>(null)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)

  async function submit(event: Event) {
    event.preventDefault()
    const email = String(new FormData(event.currentTarget as HTMLFormElement).get('email') ?? '').trim()
    setBusy(true)
    setError('')
    try {
      setAsked({ email, answer: await post<Schemas['ResetRequested']>('/api/auth/password-reset', { email }) })
    } catch (e) {
      setError(e instanceof ApiError && e.status === 429 ? pt('tooMany') : e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  if (asked) return <Answered asked={asked} again={() => setAsked(null)} />
  return (
    <Card title={pt('forgotTitle')}>
      <p class="muted">{pt('forgotLead')}</p>
      <form class="stack" onSubmit={submit} aria-describedby={error ? 'forgot-error' : undefined}>
        <label class="field"><span class="field__label">{t('auth.email')}</span>
          <input name="email" type="email" autocomplete="email" required maxLength={320} /></label>
        {error && <p id="forgot-error" class="form-error" role="alert">{error}</p>}
        <button class="btn btn--primary btn--block" disabled={busy}>{busy ? t('common.pleaseWait') : pt('send')}</button>
      </form>
      <p class="auth-card__switch"><a href="/" class="link">{pt('backToSignIn')}</a></p>
    </Card>
  )
}

function Answered({ asked, again }: { asked: Asked; again: () => void }) {
  const mailed = asked.answer.mail_configured
  return (
    <Card title={mailed ? pt('sentTitle') : pt('noMailTitle')}>
      <p role="status" data-testid="reset-answer">
        {mailed ? pt('sent', { email: asked.email, minutes: asked.answer.valid_minutes }) : pt('noMail')}
      </p>
      <p class="auth-card__switch">
        {mailed && <><button type="button" class="link" onClick={again}>{pt('askAgain')}</button>{' · '}</>}
        <a href="/" class="link">{pt('backToSignIn')}</a>
      </p>
    </Card>
  )
}

export function ResetPasswordPage({ token }: { token: string }) {
  const [error, setError] = useState('')
  const [dead, setDead] = useState(false)
  const [busy, setBusy] = useState(false)

  async function submit(event: Event) {
    event.preventDefault()
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const password = String(form.get('password') ?? '')
    const problem = passwordProblem(password, String(form.get('repeat') ?? ''))
    setError(problem)
    if (problem) return
    setBusy(true)
    try {
      await post('/api/auth/password-reset/confirm', { token, password })
      signedOutEverywhere()
      navigate('/?reset=done', { replace: true })
    } catch (e) {
      if (e instanceof ApiError && e.status === 400 && /reset token/.test(e.message)) setDead(true)
      else setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  if (dead) {
    return (
      <Card title={pt('deadTitle')}>
        <p role="alert">{pt('dead')}</p>
        <p class="auth-card__switch"><a href="/forgot" class="link">{pt('askNew')}</a>{' · '}
          <a href="/" class="link">{pt('backToSignIn')}</a></p>
      </Card>
    )
  }
  const rule = pt('rule', { min: PASSWORD_MIN, max: PASSWORD_MAX })
  return (
    <Card title={pt('resetTitle')}>
      <p class="muted">{pt('resetLead')}</p>
      <form class="stack" onSubmit={submit} aria-describedby={error ? 'reset-error' : undefined} noValidate>
        <label class="field"><span class="field__label">{pt('newPassword')}</span>
          <input name="password" type="password" autocomplete="new-password" required aria-describedby="reset-rule" /></label>
        <p id="reset-rule" class="muted reset-rule">{rule}</p>
        <label class="field"><span class="field__label">{pt('repeat')}</span>
          <input name="repeat" type="password" autocomplete="new-password" required /></label>
        {error && <p id="reset-error" class="form-error" role="alert">{error}</p>}
        <button class="btn btn--primary btn--block" disabled={busy}>{busy ? t('common.pleaseWait') : pt('save')}</button>
      </form>
      <p class="auth-card__switch"><a href="/" class="link">{pt('backToSignIn')}</a></p>
    </Card>
  )
}

/** What is wrong with the new password typed twice, in words; "" when nothing. */
export function passwordProblem(password: string, repeat: string): string {
  if (password.length < PASSWORD_MIN) return pt('tooShort', { min: PASSWORD_MIN })
  if (password.length > PASSWORD_MAX) return pt('tooLong', { max: PASSWORD_MAX })
  if (password !== repeat) return pt('differ')
  return ''
}

/** A reset ends every session of the account, this browser's too. */
function signedOutEverywhere() {
  me.value = null
  workspaces.value = []
}

/** The sign-in page's single card, its heading focused when it changes (keyboard and screen readers follow). */
function Card({ title, children }: { title: string; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => { heading.current?.focus() }, [title])
  return (
    <main class="auth-page auth-page--single">
      <LanguagePicker id="auth-language" compact />
      <div class="auth-card">
        <div class="brand brand--large"><span class="brand__mark" aria-hidden="true" />Tandem</div>
        <h1 class="auth-card__title" tabIndex={-1} ref={heading}>{title}</h1>
        {children}
      </div>
    </main>
  )
}
