/**
 * A member's expertise tags on Members & invites (docs/expertise.md): chips, and for an admin (or
 * the member themself) an "edit" toggle opening checkboxes of the workspace's tags, each saved
 * at once (`PUT /api/workspaces/{id}/expertise/members/{user}`).
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../lib/api'
import { expertise, loadExpertise, tagsOf } from '../lib/expertise'
import { isAdmin, me, workspaceId } from '../lib/session'
import { Icon, announce, toastError } from './ui'
import { scoped } from '../i18n'
import '../views/settings/expertise.css'

const et = scoped('expertise')

export function MemberExpertise({ user, name }: { user: string; name: string }) {
  const ws = workspaceId.value!
  const [open, setOpen] = useState(false)
  useEffect(() => { loadExpertise(ws).catch(() => undefined) }, [ws])
  const all = expertise.value?.workspace === ws ? expertise.value.overview.tags : []
  const mine = tagsOf(user)
  const editable = all.length > 0 && (isAdmin.value || user === me.value?.id)

  async function toggle(tag: string, on: boolean) {
    const ids = mine.map((x) => x.id)
    try {
      await api('PUT', `/api/workspaces/${ws}/expertise/members/${user}`, { tags: on ? [...ids, tag] : ids.filter((x) => x !== tag) })
      await loadExpertise(ws, true)
      announce(et('saved', { name }))
    } catch (e) {
      toastError(e)
    }
  }

  if (all.length === 0) return null
  return (
    <div class="member-expertise" data-testid="member-expertise" data-user={user}>
      <div class="expertise-chips" aria-label={et('memberTagsOf', { name })}>
        {mine.length ? mine.map((x) => <span key={x.id} class="expertise-chip">{x.name}</span>) : <span class="muted small">{et('noTags')}</span>}
        {editable && (
          <button type="button" class="icon-btn icon-btn--small" aria-expanded={open} aria-label={et('editTags', { name })}
            title={et('editTags', { name })} onClick={() => setOpen(!open)}><Icon name={open ? 'close' : 'plus'} size={14} /></button>
        )}
      </div>
      {open && editable && (
        <fieldset class="expertise-edit">
          <legend>{et('memberTagsOf', { name })}</legend>
          {all.map((tag) => (
            <label key={tag.id} class="checkbox">
              <input type="checkbox" checked={mine.some((x) => x.id === tag.id)} onChange={(e) => toggle(tag.id, (e.target as HTMLInputElement).checked)} />
              {tag.name}
            </label>
          ))}
        </fieldset>
      )}
    </div>
  )
}
