/** Members and their roles; admins invite people (a link to send) and change roles. */
import { useEffect, useState } from 'preact/hooks'
import { del, patch, post, type Schemas } from '../lib/api'
import { isAdmin, me, members, refreshMembers, role, workspace, workspaceId } from '../lib/session'
import { Avatar, Icon, announce, toast, toastError } from '../components/ui'
import { PermissionsSection } from './Permissions'
import { MemberExpertise } from '../components/MemberExpertise'
import { t } from '../i18n'

const ROLES = ['viewer', 'member', 'admin', 'owner'] as const
const title = (role: (typeof ROLES)[number]) => t(`roles.${role}`)

export function MembersPage() {
  const [invite, setInvite] = useState<{ email: string; link: string; mailed: boolean } | null>(null)
  const [error, setError] = useState('')
  useEffect(() => void refreshMembers(), [])
  const ws = workspaceId.value
  async function send(event: Event) {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const data = new FormData(form)
    setError('')
    try {
      const created = await post<Schemas['Invitation']>(`/api/workspaces/${ws}/invitations`, { email: data.get('email'), role: data.get('role') })
      setInvite({ email: created.email, link: `${location.origin}/invite/${created.token}`, mailed: created.mail_sent ?? false })
      form.reset()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }
  async function change(user: string, next: string) {
    try {
      await patch(`/api/workspaces/${ws}/members/${user}`, { role: next })
      await refreshMembers()
      announce(t('members.roleChanged', { role: t(`roles.${next as (typeof ROLES)[number]}`) }))
    } catch (e) {
      toastError(e)
      await refreshMembers()
    }
  }
  const grantable = role.value === 'owner' ? ROLES : ROLES.filter((r) => r === 'viewer' || r === 'member')
  return (
    <div class="page-narrow">
      <header class="page-header"><div class="page-header__title"><h1>{t('members.title', { workspace: workspace.value?.name ?? '' })}</h1></div></header>
      {isAdmin.value && (
        <section class="card-surface" aria-labelledby="invite-title">
          <h2 id="invite-title">{t('members.invite')}</h2>
          <form class="row row--wrap" onSubmit={send}>
            <div class="field grow"><label class="field__label" for="invite-email">{t('members.email')}</label>
              <input id="invite-email" name="email" type="email" required placeholder={t('members.emailPlaceholder')} /></div>
            <div class="field"><label class="field__label" for="invite-role">{t('members.role')}</label>
              <select id="invite-role" name="role">{grantable.map((r) => <option key={r} value={r} selected={r === 'member'}>{title(r)}</option>)}</select></div>
            <button class="btn btn--primary align-end">{t('members.createInvite')}</button>
          </form>
          {error && <p class="form-error" role="alert">{error}</p>}
          {invite && (
            <div class="invite-link" role="status">
              <p data-testid="invite-mailed" data-mailed={invite.mailed ? 'yes' : 'no'}>{t('members.inviteFor')}<strong>{invite.email}</strong>{invite.mailed ? t('members.inviteSent') : t('members.inviteNotMailed')}</p>
              <div class="row">
                <input readOnly value={invite.link} aria-label={t('members.inviteLink')} data-testid="invite-link" onFocus={(e) => (e.target as HTMLInputElement).select()} />
                <button class="btn" onClick={() => navigator.clipboard?.writeText(invite.link).then(() => toast(t('members.copied')), () => toast(t('members.copyFailed')))}>{t('common.copy')}</button>
              </div>
            </div>
          )}
        </section>
      )}
      <ul class="people-list card-surface" aria-label={t('members.list')}>
        {members.value.map((m) => (
          <li key={m.user.id}>
            <Avatar id={m.user.id} name={m.user.name} size={32} />
            <div class="grow"><strong>{m.user.id === me.value?.id ? t('common.you', { name: m.user.name }) : m.user.name}</strong><div class="muted">{m.user.email}</div>
              <MemberExpertise user={m.user.id} name={m.user.name} /></div>
            {isAdmin.value && m.user.id !== me.value?.id && (role.value === 'owner' || (m.role !== 'owner' && m.role !== 'admin')) ? (
              <>
                <label class="sr-only" for={`role-${m.user.id}`}>{t('members.roleOf', { name: m.user.name })}</label>
                <select id={`role-${m.user.id}`} value={m.role} onChange={(e) => change(m.user.id, (e.target as HTMLSelectElement).value)}>
                  {grantable.map((r) => <option key={r} value={r}>{title(r)}</option>)}
                </select>
                <button class="icon-btn" aria-label={t('members.remove', { name: m.user.name })} onClick={() => confirm(t('members.removeConfirm', { name: m.user.name })) &&
                  del(`/api/workspaces/${ws}/members/${m.user.id}`).then(refreshMembers, toastError)}><Icon name="close" size={16} /></button>
              </>
            ) : <span class="tag">{title(m.role)}</span>}
          </li>
        ))}
      </ul>
      {ws && <PermissionsSection workspace={ws} />}
    </div>
  )
}
