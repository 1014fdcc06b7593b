/** Share a board with people outside the workspace (guests: partners, freelancers). Admins only. */
import { useEffect, useRef, useState } from 'preact/hooks'
import { del, get, post, type Schemas } from '../lib/api'
import type { Board } from '../lib/session'
import { Avatar, Icon, toastError } from '../components/ui'

type Share = Schemas['Share']

export function ShareDialog({ board, onClose }: { board: Board; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [shares, setShares] = useState<Share[]>([])
  const [error, setError] = useState('')
  const load = () => get<Share[]>(`/api/boards/${board.id}/shares`).then(setShares, toastError)
  useEffect(() => {
    dialog.current?.showModal()
    void load()
  }, [])
  async function add(event: Event) {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const data = new FormData(form)
    setError('')
    try {
      await post(`/api/boards/${board.id}/shares`, { email: data.get('email'), access: data.get('access') })
      form.reset()
      await load()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="share-title" onClose={onClose} onCancel={onClose}>
      <header class="dialog__header">
        <h2 id="share-title">Share “{board.name}”</h2>
        <button class="icon-btn" aria-label="Close" onClick={() => dialog.current?.close()}><Icon name="close" /></button>
      </header>
      <p class="muted">Guests see only the boards shared with them — nothing else in this workspace. They need a Tandem account first.</p>
      <form class="row row--wrap" onSubmit={add}>
        <div class="field grow"><label class="field__label" for="share-email">E-mail</label>
          <input id="share-email" name="email" type="email" required placeholder="partner@example.com" /></div>
        <div class="field"><label class="field__label" for="share-access">Access</label>
          <select id="share-access" name="access"><option value="edit">Can edit</option><option value="read">Can view</option></select></div>
        <button class="btn btn--primary align-end">Share</button>
      </form>
      {error && <p class="form-error" role="alert">{error}</p>}
      <ul class="people-list">
        {shares.map((s) => (
          <li key={s.user.id}>
            <Avatar id={s.user.id} name={s.user.name} size={28} />
            <div class="grow"><strong>{s.user.name}</strong><div class="muted">{s.user.email}</div></div>
            <span class="tag">{s.access === 'edit' ? 'Can edit' : 'Can view'}</span>
            <button class="icon-btn" aria-label={`Stop sharing with ${s.user.name}`} onClick={() => del(`/api/boards/${board.id}/shares/${s.user.id}`).then(load, toastError)}>
              <Icon name="close" size={16} />
            </button>
          </li>
        ))}
        {shares.length === 0 && <li class="muted">Not shared with anyone outside the workspace.</li>}
      </ul>
    </dialog>
  )
}
