/** Contacts, organisations and saved segments over HTTP (`/api/workspaces/{id}/contacts|organisations|segments`). */
import type * as Y from 'yjs'
import { ApiError, get, query } from './api'

export type RecordKind = 'contacts' | 'organisations'

export interface OrganisationRef { id: string; name: string }
export interface Contact {
  id: string; name: string; first_name: string; last_name: string; emails: string[]; phones: string[]
  organisation: OrganisationRef | null; job_title: string; owner_id: string | null; labels: string[]
  address: Record<string, string>; fields: Record<string, unknown>; notes_count: number; created_at: string; updated_at: string
}
export interface Organisation {
  id: string; name: string; website: string; emails: string[]; phones: string[]; owner_id: string | null; labels: string[]
  address: Record<string, string>; fields: Record<string, unknown>; contacts_count: number; notes_count: number; created_at: string
}
export type AnyRecord = Contact | Organisation
export interface Page<T> { items: T[]; next_offset: number | null }
export interface SegmentFilter { q?: string | null; owner?: string | null; labels?: string[]; organisation?: string | null }
export interface Segment { id: string; entity: 'contact' | 'organisation'; name: string; filter: SegmentFilter }
export interface Links {
  deals: { id: string; board_id: string; title: string; status: string | null; value: number | null; currency: string | null }[]
  activities: { id: string; board_id: string; type: string | null; title: string; done: boolean | null; due: string | null }[]
  notes: { document: string; title: string | null }[]
}

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
