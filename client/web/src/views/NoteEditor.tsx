/**
 * The co-editing note editor: Tiptap bound to the note document's `content` XmlFragment
 * (SHAPES.md), with everyone's carets and names from awareness. Loaded on demand (it is most of
 * the app's code), the first time a note is opened. Typing `@` mentions a colleague (views/mentions.ts).
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { Editor } from '@tiptap/core'
import StarterKit from '@tiptap/starter-kit'
import Collaboration from '@tiptap/extension-collaboration'
import CollaborationCaret from '@tiptap/extension-collaboration-caret'
import { Placeholder } from '@tiptap/extensions'
import { identity } from '../lib/session'
import { useDocVersion, usePeers, useSyncedDoc } from '../lib/ydocs'
import { AvatarStack, Spinner } from '../components/ui'
import { LiveInput } from '../components/inputs'
import { t } from '../i18n'
import { mentionExtension } from './mentions'

export function NoteEditor({ document, writable, board }: { document: string; writable: boolean; board?: string }) {
  const synced = useSyncedDoc(document)
  const host = useRef<HTMLDivElement>(null)
  const [editor, setEditor] = useState<Editor | null>(null)
  const [, setTick] = useState(0)
  const version = useDocVersion(synced?.doc)
  const peers = usePeers(synced?.awareness)

  useEffect(() => {
    if (!synced || !host.current || !identity.value) return
    const user = identity.value
    synced.awareness.setLocalStateField('user', user)
    const instance = new Editor({
      element: host.current,
      editable: writable,
      extensions: [
        StarterKit.configure({ undoRedo: false }),
        Collaboration.configure({ document: synced.doc, field: 'content' }),
        CollaborationCaret.configure({ provider: synced.provider, user }),
        Placeholder.configure({ placeholder: writable ? t('notes.placeholder') : t('notes.emptyNote') }),
        ...(board ? [mentionExtension(board)] : []),  // @mentions notify the mentioned (issue 18)
      ],
      editorProps: {
        attributes: { class: 'prose', 'aria-label': t('notes.text'), role: 'textbox', 'aria-multiline': 'true', 'data-testid': 'note-editor' },
      },
      onTransaction: () => setTick((t) => t + 1),
    })
    setEditor(instance)
    return () => {
      instance.destroy()
      synced.awareness.setLocalState(null)
      setEditor(null)
    }
  }, [synced, writable, board])

  const meta = synced?.doc.getMap<unknown>('meta')
  const title = String(meta?.get('title') ?? '')
  void version
  const tool = (label: string, icon: string, active: boolean, run: () => void) => (
    <button type="button" class={`tool${active ? ' is-on' : ''}`} aria-label={label} aria-pressed={active} title={label}
      onMouseDown={(e) => e.preventDefault()} onClick={run} disabled={!writable}>{icon}</button>
  )
  return (
    <article class="note" aria-label={t('notes.note', { title })}>
      <header class="note__header">
        {meta && <LiveInput class="note__title" aria-label={t('notes.titleLabel')} value={title} placeholder={t('notes.untitled')} readOnly={!writable}
          onCommit={(v) => synced!.doc.transact(() => meta.set('title', v))} />}
        <AvatarStack label={t('notes.writingHere')} size={24} people={peers.map((p) => p.user)} />
      </header>
      {editor && writable && (
        <div class="toolbar" role="toolbar" aria-label={t('notes.formatting')}>
          {tool(t('notes.bold'), 'B', editor.isActive('bold'), () => editor.chain().focus().toggleBold().run())}
          {tool(t('notes.italic'), 'I', editor.isActive('italic'), () => editor.chain().focus().toggleItalic().run())}
          {tool(t('notes.heading'), 'H', editor.isActive('heading', { level: 3 }), () => editor.chain().focus().toggleHeading({ level: 3 }).run())}
          {tool(t('notes.bulletList'), '•', editor.isActive('bulletList'), () => editor.chain().focus().toggleBulletList().run())}
          {tool(t('notes.orderedList'), '1.', editor.isActive('orderedList'), () => editor.chain().focus().toggleOrderedList().run())}
        </div>
      )}
      {!synced && <Spinner label={t('notes.opening')} />}
      <div ref={host} class="note__body" />
    </article>
  )
}
