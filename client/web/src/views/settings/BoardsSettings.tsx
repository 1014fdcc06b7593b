/**
 * Settings → Boards: rename, archive (hidden from the boards list, kept with everything on it),
 * restore from the "Archived" filter, and delete for good after typing the board's name.
 * Owners and admins change boards; members and viewers see the list.
 */
import { useEffect, useState } from 'preact/hooks'
import { del, get, patch } from '../../lib/api'
import { refreshBoards, workspaceId, type Board } from '../../lib/session'
import { relative } from '../../lib/format'
import { LiveInput } from '../../components/inputs'
import { Empty, Spinner, announce, toastError } from '../../components/ui'
import { st } from '../../i18n'

type Listed = Board & { archived_at?: string | null }

export function BoardsSettings({ admin }: { admin: boolean }) {
  const ws = workspaceId.value!
  const [list, setList] = useState<Listed[] | null>(null)
  const [archived, setArchived] = useState(false)
  const [deleting, setDeleting] = useState<string | null>(null)
  const load = () => get<Listed[]>(`/api/workspaces/${ws}/boards`).then(setList, toastError)
  useEffect(() => { void load() }, [ws])

  async function change(board: Listed, body: { name?: string; archived?: boolean }, said: string) {
    try {
      await patch(`/api/boards/${board.id}`, body)
      announce(said)
      await Promise.all([load(), refreshBoards()])
    } catch (e) {
      toastError(e)
    }
  }
  async function remove(board: Listed, confirm: string) {
    try {
      await del(`/api/boards/${board.id}?confirm=${encodeURIComponent(confirm)}`)
      announce(`${board.name}: ${st('delete')}`)
      setDeleting(null)
      await Promise.all([load(), refreshBoards()])
    } catch (e) {
      toastError(e)
    }
  }

  if (!list) return <Spinner />
  const shown = list.filter((b) => Boolean(b.archived_at) === archived)
  return (
    <div>
      <div class="segmented" role="group" aria-label={st('boards')}>
        <button class={`seg${!archived ? ' is-on' : ''}`} aria-pressed={!archived} onClick={() => setArchived(false)}>
          {st('active')} ({list.filter((b) => !b.archived_at).length})
        </button>
        <button class={`seg${archived ? ' is-on' : ''}`} aria-pressed={archived} onClick={() => setArchived(true)} data-testid="archived-filter">
          {st('archived')} ({list.filter((b) => b.archived_at).length})
        </button>
      </div>
      {archived && <p class="muted settings__help">{st('archivedHint')}</p>}
      {shown.length === 0 ? (archived ? <p class="muted">{st('archivedNone')}</p> : <Empty title={st('noBoards')}>{st('noBoardsBody')}</Empty>) : (
        <ul class="pick-list" aria-label={archived ? st('archived') : st('boards')}>
          {shown.map((b) => (
            <li key={b.id} class="board-row" data-testid="board-row" data-name={b.name}>
              <div class="board-row__main">
                <LiveInput value={b.name} readOnly={!admin} aria-label={st('boardName')} maxLength={200}
                  onCommit={(v) => v.trim() && change(b, { name: v.trim() }, `${st('rename')}: ${v.trim()}`)} />
                <span class="muted small">{b.kind === 'pipeline' ? st('pipeline') : st('project')}
                  {b.archived_at ? ` · ${st('archived')} ${relative(b.archived_at)}` : ` · ${relative(b.created_at)}`}</span>
              </div>
              {admin && (
                <div class="board-row__actions">
                  {b.archived_at
                    ? <button class="btn btn--small" onClick={() => change(b, { archived: false }, `${b.name}: ${st('restore')}`)}>{st('restore')}</button>
                    : <button class="btn btn--small" onClick={() => change(b, { archived: true }, `${b.name}: ${st('archived')}`)}>{st('archive')}</button>}
                  <button class="btn btn--small btn--danger" aria-expanded={deleting === b.id} onClick={() => setDeleting(deleting === b.id ? null : b.id)}>{st('delete')}</button>
                </div>
              )}
              {deleting === b.id && <DeleteBoard board={b} onDelete={(typed) => remove(b, typed)} onCancel={() => setDeleting(null)} />}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

function DeleteBoard({ board, onDelete, onCancel }: { board: Listed; onDelete: (typed: string) => void; onCancel: () => void }) {
  const [typed, setTyped] = useState('')
  const matches = typed.trim().toLowerCase() === board.name.trim().toLowerCase()
  const id = `confirm-${board.id.slice(0, 8)}`
  return (
    <form class="board-row__confirm" onSubmit={(e) => { e.preventDefault(); if (matches) onDelete(typed) }}>
      <label for={id}>{st('typeToDelete', { name: board.name })}</label>
      <div class="row row--wrap">
        <input id={id} value={typed} autoFocus autocomplete="off" onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        <button class="btn btn--danger-solid btn--small" disabled={!matches}>{st('deleteForever')}</button>
        <button type="button" class="btn btn--ghost btn--small" onClick={onCancel}>{st('cancel')}</button>
      </div>
    </form>
  )
}
