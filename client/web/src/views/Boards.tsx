/** The workspace's boards, and a new one (members and above). */
import { useState } from 'preact/hooks'
import { post } from '../lib/api'
import { navigate } from '../lib/router'
import { boards, canEdit, isGuest, refreshBoards, workspace, workspaceId, type Board } from '../lib/session'
import { Empty, Icon, toastError } from '../components/ui'
import { relative } from '../lib/format'

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
    } catch (e) {
      toastError(e)
    }
  }
  return (
    <div class="page-narrow">
      <header class="page-header">
        <div class="page-header__title"><h1>{workspace.value?.name}</h1></div>
        {canEdit.value && !creating && <button class="btn btn--primary" onClick={() => setCreating(true)}><Icon name="plus" size={16} />New board</button>}
      </header>
      {creating && (
        <form class="inline-form card-surface" onSubmit={create} aria-label="New board">
          <label class="field"><span class="field__label">Board name</span><input name="name" required autoFocus placeholder="e.g. Enterprise deals" /></label>
          <fieldset class="field"><legend class="field__label">Kind</legend>
            <label class="radio"><input type="radio" name="kind" value="pipeline" defaultChecked /> Sales pipeline (deals)</label>
            <label class="radio"><input type="radio" name="kind" value="project" /> Project (work items, shareable with partners)</label>
          </fieldset>
          <div class="row"><button class="btn btn--primary">Create board</button><button type="button" class="btn btn--ghost" onClick={() => setCreating(false)}>Cancel</button></div>
        </form>
      )}
      {boards.value.length === 0 ? (
        <Empty title={isGuest.value ? 'Nothing is shared with you here yet' : 'No boards yet'} icon="▦">
          {isGuest.value ? 'Boards shared with you appear here.' : 'Create a pipeline to start tracking deals.'}
        </Empty>
      ) : (
        <ul class="board-grid" aria-label="Boards">
          {boards.value.map((b) => (
            <li key={b.id}>
              <a class="board-tile" href={`${base}/boards/${b.id}`} data-testid="board-tile">
                <span class={`board-tile__icon board-tile__icon--${b.kind}`} aria-hidden="true"><Icon name="board" /></span>
                <span class="board-tile__name">{b.name}</span>
                <span class="muted">{b.kind === 'pipeline' ? 'Sales pipeline' : 'Project board'} · created {relative(b.created_at)}</span>
                {b.access === 'read' && <span class="tag tag--warn">View only</span>}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
