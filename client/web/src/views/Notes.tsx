/**
 * Notes of a deal, contact or organisation, and the co-editing editor: Tiptap bound to the
 * note document's `content` XmlFragment, with everyone's carets and names (awareness).
 */
import { useEffect, useState } from 'preact/hooks'
import type { FunctionComponent } from 'preact'
import { createNote, listNotes, type NoteRef, type SubjectKind } from '../lib/notes'
import { Icon, Spinner, announce, toastError } from '../components/ui'
import { t } from '../i18n'

type EditorComponent = FunctionComponent<{ document: string; writable: boolean; board?: string }>
let loadedEditor: EditorComponent | null = null

/** The editor module, fetched once on first use. */
function useNoteEditor(): EditorComponent | null {
  const [editor, setEditor] = useState<EditorComponent | null>(loadedEditor)
  useEffect(() => {
    if (!editor) import('./NoteEditor').then((m) => setEditor(() => (loadedEditor = m.NoteEditor)), toastError)
  }, [])
  return editor
}

export function NotesSection({ subjectKind, subjectId, board, writable }: {
  subjectKind: SubjectKind; subjectId: string; board: string; writable: boolean
}) {
  const [notes, setNotes] = useState<NoteRef[] | null>(null)
  const [openId, setOpenId] = useState<string | null>(null)
  const [error, setError] = useState('')
  const NoteEditor = useNoteEditor()

  useEffect(() => {
    let live = true
    const load = () => listNotes(subjectKind, subjectId, board).then((list) => {
      if (!live) return
      setNotes((old) => {
        const extra = (old ?? []).filter((n) => !list.some((m) => m.document === n.document))
        return [...list, ...extra]
      })
    }, (e) => live && setError(e instanceof Error ? e.message : String(e)))
    void load()
    const timer = setInterval(load, 3000)
    return () => { live = false; clearInterval(timer) }
  }, [subjectKind, subjectId, board])

  useEffect(() => {
    if (!openId && notes?.length) setOpenId(notes[0].document)
  }, [notes])

  async function add() {
    try {
      const note = await createNote(subjectKind, subjectId, board, t('defaults.noteTitle'))
      setNotes((old) => [note, ...(old ?? []).filter((n) => n.document !== note.document)])
      setOpenId(note.document)
      announce(t('notes.created'))
    } catch (e) {
      toastError(e)
    }
  }

  if (notes === null) return error ? <p class="form-error">{error}</p> : <Spinner label={t('notes.loading')} />
  return (
    <div class="notes">
      <div class="notes__bar">
        {notes.length > 0 && (
          <ul class="notes__list" role="list" aria-label={t('notes.list')}>
            {notes.map((n) => (
              <li key={n.document}>
                <button class={`chip${openId === n.document ? ' is-on' : ''}`} aria-pressed={openId === n.document} onClick={() => setOpenId(n.document)}>
                  <Icon name="note" size={14} />{n.title}
                </button>
              </li>
            ))}
          </ul>
        )}
        {writable && <button class="btn btn--small" onClick={add}><Icon name="plus" size={14} />{t('notes.new')}</button>}
      </div>
      {notes.length === 0 && <p class="muted">{t('notes.none')}{writable ? t('notes.startHint') : ''}</p>}
      {openId && (NoteEditor ? <NoteEditor key={openId} document={openId} writable={writable} board={board} /> : <Spinner label={t('notes.openingEditor')} />)}
    </div>
  )
}
