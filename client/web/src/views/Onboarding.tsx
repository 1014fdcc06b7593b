/** A signed-in user with no workspace yet: create the first one (with a sales pipeline). */
import { useState } from 'preact/hooks'
import { post } from '../lib/api'
import { navigate } from '../lib/router'
import { loadWorkspaces, me, signOut, type Board, type Workspace } from '../lib/session'
import { localiseNewBoard } from '../lib/board'
import { t } from '../i18n'
import { LanguagePicker } from '../components/language'
import { currencyForBrowser } from '../lib/money'
import { zoneForBrowser } from './settings/WorkspaceSettings'

export function Onboarding() {
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  async function submit(event: Event) {
    event.preventDefault()
    const name = String(new FormData(event.currentTarget as HTMLFormElement).get('name') ?? '')
    setBusy(true)
    try {
      const ws = await post<Workspace>('/api/workspaces', { name, currency: currencyForBrowser(), time_zone: zoneForBrowser() })
      const board = await post<Board>(`/api/workspaces/${ws.id}/boards`, { name: t('defaults.pipelineBoard'), kind: 'pipeline' }).catch(() => null)
      if (board) await localiseNewBoard(board.document).catch(() => null) // the stages in the user's language; English if it fails
      await loadWorkspaces()
      navigate(`/w/${ws.id}`)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="auth-page auth-page--single">
      <LanguagePicker id="auth-language" compact />
      <div class="auth-card">
        <div class="brand brand--large"><span class="brand__mark" aria-hidden="true" />Tandem</div>
        <h1 class="auth-card__title">{t('onboarding.title', { name: me.value?.name?.split(' ')[0] ?? '' })}</h1>
        <p class="muted">{t('onboarding.lead')}</p>
        <form class="stack" onSubmit={submit}>
          <label class="field"><span class="field__label">{t('onboarding.name')}</span><input name="name" required maxLength={100} placeholder={t('onboarding.placeholder')} /></label>
          {error && <p class="form-error" role="alert">{error}</p>}
          <button class="btn btn--primary btn--block" disabled={busy}>{t('onboarding.create')}</button>
        </form>
        <p class="auth-card__switch"><button type="button" class="link" onClick={() => void signOut()}>{t('shell.signOut')}</button></p>
      </div>
    </main>
  )
}
