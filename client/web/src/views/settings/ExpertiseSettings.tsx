/**
 * Settings › Expertise (docs/expertise.md): the workspace's expertise tags — languages,
 * industries, products, regions. Owners and admins add, rename (edit in place, Enter or leaving
 * the field saves) and remove them; members see the list read-only. Each tag says how many
 * members have it; members get theirs on Members & invites.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, del, post } from '../../lib/api'
import { expertise, loadExpertise } from '../../lib/expertise'
import { workspaceId } from '../../lib/session'
import { LiveInput } from '../../components/inputs'
import { Empty, Icon, Spinner, announce, toastError } from '../../components/ui'
import { scoped } from '../../i18n'
import './expertise.css'

const et = scoped('expertise')

export function ExpertiseSettings({ admin }: { admin: boolean }) {
  const ws = workspaceId.value!
  const [error, setError] = useState('')
  useEffect(() => { loadExpertise(ws, true).catch(toastError) }, [ws])
  const overview = expertise.value?.workspace === ws ? expertise.value.overview : null
  const reload = () => loadExpertise(ws, true)

  async function rename(id: string, name: string) {
    try {
      await api('PUT', `/api/workspaces/${ws}/expertise/tags/${id}`, { name })
      await reload()
      announce(et('renamed', { name }))
    } catch (e) {
      toastError(e)
    }
  }
  async function remove(id: string, name: string) {
    if (!confirm(et('removeConfirm', { name }))) return
    try {
      await del(`/api/workspaces/${ws}/expertise/tags/${id}`)
      await reload()
      announce(et('removed', { name }))
    } catch (e) {
      toastError(e)
    }
  }
  async function add(event: Event) {
    event.preventDefault()
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('name') as HTMLInputElement
    const name = input.value.trim()
    if (!name) return
    setError('')
    try {
      await post(`/api/workspaces/${ws}/expertise/tags`, { name })
      await reload()
      input.value = ''
      input.focus()
      announce(et('added', { name }))
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }

  if (!overview) return <Spinner />
  const holders = (id: string) => overview.members.filter((m) => m.tags.includes(id)).length
  return (
    <div class="expertise-settings" data-testid="expertise-settings">
      <p class="muted settings__help">{et('intro')}</p>
      {overview.tags.length === 0 ? <Empty title={et('none')}>{admin ? et('noneBody') : et('noneMember')}</Empty> : (
        <ul class="expertise-list" aria-label={et('tags')}>
          {overview.tags.map((tag) => (
            <li key={tag.id} class="pick-row" data-testid="expertise-tag" data-name={tag.name}>
              <LiveInput value={tag.name} readOnly={!admin} aria-label={et('rename', { name: tag.name })} maxLength={60}
                onCommit={(v) => v.trim() && v.trim() !== tag.name && rename(tag.id, v.trim())} />
              <span class="muted small expertise-list__count">{et('holders', { count: holders(tag.id) })}</span>
              {admin && (
                <button type="button" class="icon-btn icon-btn--small" aria-label={et('remove', { name: tag.name })}
                  title={et('remove', { name: tag.name })} onClick={() => remove(tag.id, tag.name)}><Icon name="close" size={14} /></button>
              )}
            </li>
          ))}
        </ul>
      )}
      {admin && (
        <form class="inline-add" onSubmit={add}>
          <label class="sr-only" for="add-expertise">{et('newTag')}</label>
          <input id="add-expertise" name="name" placeholder={et('newTagPlaceholder')} maxLength={60} required data-testid="expertise-name" />
          <button class="btn btn--primary btn--small"><Icon name="plus" size={16} />{et('add')}</button>
        </form>
      )}
      {error && <p class="form-error" role="alert">{error}</p>}
    </div>
  )
}
