/** The workspace's boards, and a new one (members and above). */
import { useState } from 'preact/hooks'
import { post } from '../lib/api'
import { navigate } from '../lib/router'
import { boards, canEdit, isGuest, refreshBoards, workspace, workspaceId, type Board } from '../lib/session'
import { Empty, Icon, toastError } from '../components/ui'
import { relative } from '../lib/format'
import { localiseNewBoard } from '../lib/board'
import { t } from '../i18n'

export function BoardsPage() {
  const [creating, setCreating] = useState(false)
  const base = `/w/${workspaceId.value}`
  async function create(event: Event) {
    event.preventDefault()
    const data = new FormData(event.currentTarget as HTMLFormElement)
    try {
      const board = await post<Board>(`/api/workspaces/${workspaceId.value}/boards`, { name: data.get('name'), kind: data.get('kind') })
      await refreshBoards()
      navigate(`${base}/boards/${board.id}`)
      void localiseNewBoard(board.document).catch(toastError)
    } catch (e) {
      toastError(e)
    }
  }
  return (
    <div class="page-narrow">
      <header class="page-header">
        <div class="page-header__title"><h1>{workspace.value?.name}</h1></div>
        {canEdit.value && !creating && <button class="btn btn--primary" onClick={() => setCreating(true)}><Icon name="plus" size={16} />{t('boards.newBoard')}</button>}
      </header>
      {creating && (
        <form class="inline-form card-surface" onSubmit={create} aria-label={t('boards.formLabel')}>
          <label class="field"><span class="field__label">{t('boards.name')}</span><input name="name" required autoFocus placeholder={t('boards.namePlaceholder')} /></label>
          <fieldset class="field"><legend class="field__label">{t('boards.kind')}</legend>
            <label class="radio"><input type="radio" name="kind" value="pipeline" defaultChecked /> {t('boards.kindPipeline')}</label>
            <label class="radio"><input type="radio" name="kind" value="project" /> {t('boards.kindProject')}</label>
          </fieldset>
          <div class="row"><button class="btn btn--primary">{t('boards.create')}</button><button type="button" class="btn btn--ghost" onClick={() => setCreating(false)}>{t('common.cancel')}</button></div>
        </form>
      )}
      {boards.value.length === 0 ? (
        <Empty title={isGuest.value ? t('boards.guestEmptyTitle') : t('boards.emptyTitle')} icon="▦">
          {isGuest.value ? t('boards.guestEmptyBody') : t('boards.emptyBody')}
        </Empty>
      ) : (
        <ul class="board-grid" aria-label={t('boards.list')}>
          {boards.value.map((b) => (
            <li key={b.id}>
              <a class="board-tile" href={`${base}/boards/${b.id}`} data-testid="board-tile">
                <span class={`board-tile__icon board-tile__icon--${b.kind}`} aria-hidden="true"><Icon name="board" /></span>
                <span class="board-tile__name">{b.name}</span>
                <span class="muted">{b.kind === 'pipeline' ? t('boards.pipeline') : t('boards.project')} · {t('boards.created', { when: relative(b.created_at) })}</span>
                {b.access === 'read' && <span class="tag tag--warn">{t('boards.viewOnly')}</span>}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
