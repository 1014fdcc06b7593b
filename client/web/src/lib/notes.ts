/**
 * Notes over HTTP: a note is a Yjs document (`note:<uuid>`, SHAPES.md) registered by the server.
 * `createNote` registers and seeds one (`POST /api/notes`); `listNotes` finds a subject's notes.
 */
import { ApiError, get, post } from './api'

export type SubjectKind = 'deal' | 'contact' | 'organisation'

export interface NoteRef {
  id: string
  document: string
  title: string
  createdAt?: string
  createdBy?: string
}

function normalise(raw: Record<string, unknown>): NoteRef {
  const document = String(raw.document ?? (raw.id ? `note:${raw.id}` : ''))
  return {
    id: String(raw.id ?? document.replace(/^note:/, '')),
    document,
    title: String(raw.title ?? '') || 'Untitled note',
    createdAt: (raw.createdAt ?? raw.created_at) as string | undefined,
    createdBy: (raw.createdBy ?? raw.created_by) as string | undefined,
  }
}

export async function createNote(subjectKind: SubjectKind, subjectId: string, board: string, title: string): Promise<NoteRef> {
  const raw = await post<Record<string, unknown>>('/api/notes', { subjectKind, subjectId, board, title })
  return normalise({ title, ...raw })
}

/**
 * The notes of a subject. Deals: the `noteAdded` events of the deal's timeline; contacts: the
 * contact's links; organisations: their links where the server has them. An endpoint that is
 * not there (yet) gives no notes rather than an error.
 */
export async function listNotes(subjectKind: SubjectKind, subjectId: string, board: string): Promise<NoteRef[]> {
  try {
    if (subjectKind === 'deal') {
      const timeline = await get<{ events?: Record<string, unknown>[] }>(`/api/deals/${board}/${subjectId}/timeline`)
      return (timeline.events ?? []).filter((e) => e.kind === 'noteAdded').reverse().map((e) => normalise({
        id: e.note, document: e.document, title: e.title, createdAt: e.at,
        createdBy: (e.author as { id?: string } | null)?.id,
      }))
    }
    const links = await get<{ notes?: Record<string, unknown>[] }>(`/api/${subjectKind === 'contact' ? 'contacts' : 'organisations'}/${subjectId}/links`)
    return (links.notes ?? []).map(normalise)
  } catch (error) {
    if (error instanceof ApiError && (error.missing || error.status === 400)) return []
    throw error
  }
}
