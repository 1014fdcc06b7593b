/**
 * Settings › Booking (issue 18 item 6, docs/booking.md): bookings waiting for your approval, then
 * your booking links — at most one personal link (it books you) and any number of team links (each
 * books whichever member of its team is free, in that member's own working hours) — each with its
 * public address, listed to edit or delete, and the form to make or change one
 * (`BookingLinkForm`). Everyone's own. Says plainly when this server mails no confirmations.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, get, type Schemas } from '../../lib/api'
import { boards, workspaceId } from '../../lib/session'
import { scoped } from '../../i18n'
import { Spinner, announce, toastError } from '../../components/ui'
import { BookingRequests } from './BookingRequests'
import { BookingLinkForm, fresh, type Settings, type Team } from './BookingLinkForm'
import '../booking/booking.css'

const bt = scoped('booking')
const lt = scoped('bookingLinks')

export function BookingSettings() {
  const [links, setLinks] = useState<Schemas['BookingLinks'] | null>(null)
  const [teams, setTeams] = useState<Team[]>([])
  const [editing, setEditing] = useState<Settings | null>(null)
  const load = () => get<Schemas['BookingLinks']>('/api/me/booking/links').then(setLinks, toastError)
  useEffect(() => {
    void load()
    if (workspaceId.value) get<Team[]>(`/api/workspaces/${workspaceId.value}/teams`).then(setTeams, () => setTeams([]))
  }, [])
  if (!links) return <Spinner label={bt('loading')} />
  const name = (s: Settings) => s.title || (s.team ? lt('team', { team: teamName(teams, s.team) }) : lt('personal'))
  const firstBoard = boards.value.find((b) => !b.archived_at)?.id ?? ''
  const hasPersonal = links.links.some((s) => !s.team)

  async function remove(link: Settings) {
    if (!confirm(lt('removeConfirm', { name: name(link) }))) return
    try {
      await api('DELETE', `/api/me/booking/links/${link.id}`)
      announce(lt('removed', { name: name(link) }))
      if (editing?.id === link.id) setEditing(null)
      await load()
    } catch (e) {
      toastError(e)
    }
  }

  return (
    <div class="stack" data-testid="booking-settings">
      <BookingRequests />
      <p>{bt('intro')}</p>
      {!links.mail_configured && <p class="notice" role="note">{bt('noMail')}</p>}
      <section class="booking-links" aria-labelledby="booking-links-title" data-testid="booking-links">
        <h2 id="booking-links-title" class="booking-links__title">{lt('title')}</h2>
        {links.links.length === 0 ? <p class="muted" data-testid="booking-links-empty">{lt('none')}</p> : (
          <ul class="booking-links__list">
            {links.links.map((s) => <LinkRow key={s.id} link={s} name={name(s)} onEdit={() => setEditing(s)} onRemove={() => void remove(s)} />)}
          </ul>
        )}
        <div class="row row--wrap">
          {!hasPersonal && <button type="button" class="btn" onClick={() => setEditing(fresh(firstBoard, null))}>{lt('newPersonal')}</button>}
          <button type="button" class="btn" disabled={teams.length === 0} aria-describedby={teams.length ? undefined : 'booking-no-teams'}
            onClick={() => setEditing(fresh(firstBoard, teams[0]?.id ?? null))}>{lt('newTeam')}</button>
        </div>
        {teams.length === 0 && <p id="booking-no-teams" class="field__hint">{lt('noTeams')}</p>}
      </section>
      {editing && (
        <BookingLinkForm key={editing.id ?? `new-${editing.team ?? 'personal'}`} start={editing} teams={teams}
          heading={editing.id ? lt('editing', { name: name(editing) }) : lt(editing.team ? 'creatingTeam' : 'creatingPersonal')}
          onCancel={() => setEditing(null)} onDone={() => { setEditing(null); void load() }} />
      )}
    </div>
  )
}

function teamName(teams: Team[], id: string): string {
  return teams.find((team) => team.id === id)?.name ?? lt('unknownTeam')
}

function LinkRow({ link, name, onEdit, onRemove }: { link: Settings; name: string; onEdit: () => void; onRemove: () => void }) {
  const url = `${location.origin}/book/${link.slug}`
  return (
    <li class="booking-links__item" data-testid="booking-link">
      <div class="booking-links__what">
        <strong>{name}</strong>
        <span class="booking-links__tags">
          <span class="tag">{link.team ? lt('tagTeam') : lt('tagPersonal')}</span>
          {!link.enabled && <span class="tag">{lt('off')}</span>}
          {link.approval && <span class="muted small">{lt('approval')}</span>}
        </span>
        <a href={url} target="_blank" rel="noopener" class="booking-links__url" data-testid="booking-url">{url}</a>
      </div>
      <div class="row">
        <button type="button" class="btn btn--ghost btn--small" aria-label={lt('editOf', { name })} onClick={onEdit}>{lt('edit')}</button>
        <button type="button" class="btn btn--ghost btn--small" aria-label={lt('removeOf', { name })} onClick={onRemove}>{lt('remove')}</button>
      </div>
    </li>
  )
}
