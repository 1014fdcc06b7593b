/** Contacts, organisations and saved segments over HTTP (`/api/workspaces/{id}/contacts|organisations|segments`). */
import type * as Y from 'yjs'
import { ApiError, get, query, type Schemas } from './api'

export type RecordKind = 'contacts' | 'organisations'

export type OrganisationRef = Schemas['OrganisationRef']
export type Contact = Schemas['Contact']
export type Organisation = Schemas['Organisation']
export type AnyRecord = Contact | Organisation
export interface Page<T> { items: T[]; next_offset: number | null }
export type SegmentFilter = Schemas['SegmentFilter']
export type Segment = Schemas['Segment']
export type Links = Schemas['ContactLinks']

export interface ListParams { q?: string; owner?: string; label?: string; organisation?: string; segment?: string; offset?: number; limit?: number }

export function listRecords<T extends AnyRecord>(workspace: string, kind: RecordKind, params: ListParams): Promise<Page<T>> {
  return get<Page<T>>(`/api/workspaces/${workspace}/${kind}${query({ limit: 50, ...params })}`)
}

const names = new Map<string, Promise<string>>()
/** A record's display name, cached; '' if it cannot be read. */
export function recordName(kind: RecordKind, id: string): Promise<string> {
  const key = `${kind}:${id}`
  let found = names.get(key)
  if (!found) {
    found = get<AnyRecord>(`/api/${kind}/${id}`).then((r) => r.name, (e) => {
      names.delete(key)
      return e instanceof ApiError ? '' : Promise.reject(e)
    })
    names.set(key, found)
  }
  return found
}
export function rememberName(kind: RecordKind, id: string, name: string): void {
  names.set(`${kind}:${id}`, Promise.resolve(name))
}

/**
 * Live notice of changed records: the server notes each change in the workspace document's
 * `changes` map (`contact:<id>` / `organisation:<id>` → when; `contact:*` for bulk changes);
 * `onChange(keys)` is called with the changed keys, and the caller refetches over HTTP.
 */
export function watchChanges(doc: Y.Doc, onChange: (keys: string[]) => void): () => void {
  const changes = doc.getMap<string>('changes')
  const observer = (event: Y.YMapEvent<string>) => {
    if (event.transaction.local) return
    onChange([...event.keysChanged])
  }
  changes.observe(observer)
  return () => changes.unobserve(observer)
}
