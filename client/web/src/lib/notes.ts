/**
 * Notes over HTTP: a note is a Yjs document (`note:<uuid>`, SHAPES.md) registered by the server.
 * `createNote` registers and seeds one (`POST /api/notes`); `listNotes` finds a subject's notes.
 */
import { get, post, type Schemas } from './api'
import { t } from '../i18n'

export type SubjectKind = Schemas['SubjectKind']

/** What the app needs of a note to list it and open its document. */
export interface NoteRef {
  id: string
  document: string
  title: string
}

function ref(note: { id: string; document: string; title: string | null }): NoteRef {
  return { id: note.id, document: note.document, title: note.title || t('notes.untitled') }
}

export async function createNote(subjectKind: SubjectKind, subjectId: string, board: string, title: string): Promise<NoteRef> {
  const body: Schemas['NewNote'] = { subject_kind: subjectKind, subject_id: subjectId, board, title }
  return ref(await post<Schemas['Note']>('/api/notes', body))
}

/**
 * The notes of a subject, newest first. Deals: the `note_added` events of the deal's timeline;
 * contacts and organisations: their links.
 */
export async function listNotes(subjectKind: SubjectKind, subjectId: string, board: string): Promise<NoteRef[]> {
  if (subjectKind === 'deal') {
    const timeline = await get<Schemas['Timeline']>(`/api/deals/${board}/${subjectId}/timeline`)
    return timeline.events.flatMap((e) => (e.kind === 'note_added' ? [ref({ id: e.note, document: e.document, title: e.title })] : [])).reverse()
  }
  if (subjectKind === 'contact') {
    const links = await get<Schemas['ContactLinks']>(`/api/contacts/${subjectId}/links`)
    return links.notes.map(ref)
  }
  const links = await get<Schemas['OrganisationLinks']>(`/api/organisations/${subjectId}/links`)
  return links.notes.map(ref)
}
