/**
 * Share a board with people outside the workspace (guests: partners, freelancers). Admins only.
 *
 * An address with a Tandem account gets the board at once; one without gets an invitation link
 * by mail (shown here once, to copy) that signs them up and opens the board. Open invitations are
 * listed until accepted; cancelling one makes its link stop working. The dialog says plainly what
 * a guest sees.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { del, get, post, type Schemas } from '../lib/api'
import type { Board } from '../lib/session'
import { dateTime } from '../lib/format'
import { gt } from '../i18n'
import { Avatar, Icon, announce, toast, toastError } from '../components/ui'

type Share = Schemas['Share']
type Invitation = Schemas['GuestInvitation']

export function ShareDialog({ board, onClose }: { board: Board; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [shares, setShares] = useState<Share[]>([])
  const [invitations, setInvitations] = useState<Invitation[]>([])
  const [fresh, setFresh] = useState<Invitation | null>(null)
  const [mailed, setMailed] = useState(false)
  const [error, setError] = useState('')
  const load = () => Promise.all([
    get<Share[]>(`/api/boards/${board.id}/shares`).then(setShares),
    get<Invitation[]>(`/api/boards/${board.id}/invitations`).then(setInvitations),
  ]).catch(toastError)
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
      const shared = await post<Schemas['Shared']>(`/api/boards/${board.id}/shares`, { email: data.get('email'), access: data.get('access') })
      form.reset()
      setFresh(shared.invitation)
      setMailed(shared.mail_sent ?? false)
      const said = shared.share ? gt('sharedWith', { name: shared.share.user.name }) : gt(shared.mail_sent ? 'invitedNotice' : 'invitedNotMailed', { email: shared.invitation?.email ?? '' })
      announce(said)
      if (shared.share) toast(said)
      await load()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }

  async function cancel(invitation: Invitation) {
    try {
      await del(`/api/boards/${board.id}/invitations/${invitation.id}`)
      if (fresh?.id === invitation.id) setFresh(null)
      toast(gt('invitationCancelled', { email: invitation.email }))
      await load()
    } catch (e) {
      toastError(e)
    }
  }

  const link = fresh?.link ? new URL(fresh.link, location.origin).href : ''
  return (
    <dialog ref={dialog} class="dialog share-dialog" aria-labelledby="share-title" onClose={onClose} onCancel={onClose}>
      <header class="dialog__header">
        <h2 id="share-title">{gt('shareTitle', { board: board.name })}</h2>
        <button class="icon-btn" aria-label={gt('close')} onClick={() => dialog.current?.close()}><Icon name="close" /></button>
      </header>
      <p class="share-dialog__scope" data-testid="guest-scope">{gt('shareExplain')}</p>
      <p class="muted">{gt('shareInviteExplain')}</p>
      <form class="row row--wrap" onSubmit={add}>
        <div class="field grow"><label class="field__label" for="share-email">{gt('email')}</label>
          <input id="share-email" name="email" type="email" required placeholder={gt('emailPlaceholder')} /></div>
        <div class="field"><label class="field__label" for="share-access">{gt('access')}</label>
          <select id="share-access" name="access"><option value="edit">{gt('canEdit')}</option><option value="read">{gt('canView')}</option></select></div>
        <button class="btn btn--primary align-end">{gt('share')}</button>
      </form>
      {error && <p class="form-error" role="alert">{error}</p>}
      {fresh && link && (
        <div class="share-dialog__link" role="status">
          <p data-testid="share-mailed" data-mailed={mailed ? 'yes' : 'no'}>{gt(mailed ? 'invitedNotice' : 'invitedNotMailed', { email: fresh.email })}</p>
          <div class="row">
            <label class="sr-only" for="invite-link">{gt('linkLabel', { email: fresh.email })}</label>
            <input id="invite-link" class="grow" readOnly value={link} onFocus={(e) => (e.target as HTMLInputElement).select()} />
            <button type="button" class="btn btn--ghost" onClick={() => navigator.clipboard?.writeText(link).then(() => toast(gt('linkCopied')), toastError)}>
              {gt('copyLink')}
            </button>
          </div>
        </div>
      )}
      <h3 class="share-dialog__heading">{gt('people')}</h3>
      <ul class="people-list" aria-label={gt('people')}>
        {shares.map((s) => (
          <li key={s.user.id}>
            <Avatar id={s.user.id} name={s.user.name} size={28} />
            <div class="grow"><strong>{s.user.name}</strong><div class="muted">{s.user.email}</div></div>
            <span class="tag">{s.access === 'edit' ? gt('canEdit') : gt('canView')}</span>
            <button class="icon-btn" aria-label={gt('stopSharing', { name: s.user.name })} onClick={() => del(`/api/boards/${board.id}/shares/${s.user.id}`).then(load, toastError)}>
              <Icon name="close" size={16} />
            </button>
          </li>
        ))}
        {shares.length === 0 && <li class="muted">{gt('nobody')}</li>}
      </ul>
      {invitations.length > 0 && <>
        <h3 class="share-dialog__heading">{gt('invitations')}</h3>
        <ul class="people-list" aria-label={gt('invitations')} data-testid="pending-invitations">
          {invitations.map((i) => (
            <li key={i.id}>
              <span class="share-dialog__envelope" aria-hidden="true"><Icon name="email" size={16} /></span>
              <div class="grow"><strong>{i.email}</strong><div class="muted">{gt('pendingUntil', { date: dateTime(i.expires_at) })}</div></div>
              <span class="tag tag--quiet">{i.access === 'edit' ? gt('canEdit') : gt('canView')}</span>
              <button class="icon-btn" aria-label={gt('cancelInvitation', { email: i.email })} onClick={() => void cancel(i)}>
                <Icon name="close" size={16} />
              </button>
            </li>
          ))}
        </ul>
      </>}
    </dialog>
  )
}
