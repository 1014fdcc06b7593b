/**
 * Who attends an activity besides its assignee (issue 18): colleagues and contacts, from
 * `GET/PUT /api/boards/{board}/activities/{id}/attendees` — rows in SQL, not in the board document,
 * because a guest syncs the whole document and must not learn contact ids (a guest sees and sets
 * the colleagues only). The calendar shows the activity to every colleague attending it.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, get, type Schemas } from '../lib/api'
import { isGuest, members, workspaceId } from '../lib/session'
import { recordName } from '../lib/records'
import { scoped } from '../i18n'
import { Icon, announce, toastError } from './ui'
import { RecordPicker } from '../views/Contacts'
import './attendees.css'

type Attendees = Schemas['ActivityAttendees']
const at = scoped('attendees')

export function ActivityAttendees({ board, activity, title, writable }: { board: string; activity: string; title: string; writable: boolean }) {
  const url = `/api/boards/${board}/activities/${activity}/attendees`
  const [value, setValue] = useState<Attendees | null>(null)
  const [names, setNames] = useState<Record<string, string>>({})
  useEffect(() => { get<Attendees>(url).then(setValue, () => setValue({ users: [], contacts: [] })) }, [url])
  useEffect(() => {
    for (const id of value?.contacts ?? []) {
      if (!(id in names)) recordName('contacts', id).then((n) => setNames((m) => ({ ...m, [id]: n || '…' })), () => null)
    }
  }, [value])
  if (!value) return null
  async function save(next: Attendees, said: string) {
    try {
      setValue(await api<Attendees>('PUT', url, isGuest.value ? { users: next.users } : next))
      announce(said)
    } catch (e) { toastError(e) }
  }
  const userName = (id: string) => members.value.find((m) => m.user.id === id)?.user.name ?? '…'
  const free = members.value.filter((m) => !value.users.includes(m.user.id))
  const people = [
    ...value.users.map((id) => ({ id, kind: 'users' as const, name: userName(id) })),
    ...value.contacts.map((id) => ({ id, kind: 'contacts' as const, name: names[id] ?? '…' })),
  ]
  return (
    <div class="attendees" role="group" aria-label={at('label', { title })} data-testid="attendees">
      <span class="field__label">{at('title')}</span>
      {people.length === 0 ? <span class="muted small">{at('none')}</span> : (
        <ul class="attendees__list">
          {people.map((p) => (
            <li key={p.id} class={`attendee attendee--${p.kind}`}>
              <Icon name={p.kind === 'users' ? 'people' : 'contacts'} size={13} />
              {p.kind === 'contacts' ? <a href={`/w/${workspaceId.value}/contacts/${p.id}`}>{p.name}</a> : <span>{p.name}</span>}
              {writable && (
                <button type="button" class="icon-btn icon-btn--small" aria-label={at('remove', { name: p.name })}
                  onClick={() => save({ ...value, [p.kind]: value[p.kind].filter((x) => x !== p.id) }, at('removed', { name: p.name }))}>
                  <Icon name="close" size={12} />
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {writable && (
        <div class="attendees__add">
          <label class="field field--inline"><span class="sr-only">{at('addColleague')}</span>
            <select aria-label={at('addColleague')} value="" onChange={(e) => {
              const id = (e.target as HTMLSelectElement).value
              if (id) void save({ ...value, users: [...value.users, id] }, at('added', { name: userName(id) }))
            }}>
              <option value="">{at('addColleague')}</option>
              {free.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
            </select>
          </label>
          {!isGuest.value && <span class="attendees__contact"><span class="muted small">{at('addContact')}:</span>
            <RecordPicker kind="contacts" label={at('addContact')} value="" onChange={(id) => {
              if (id && !value.contacts.includes(id)) {
                void recordName('contacts', id).then((n) => {
                  setNames((m) => ({ ...m, [id]: n }))
                  return save({ ...value, contacts: [...value.contacts, id] }, at('added', { name: n }))
                })
              }
            }} /></span>}
        </div>
      )}
    </div>
  )
}
