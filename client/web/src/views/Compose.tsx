/**
 * The compose dialog (issue 17): write a mail from a deal, contact or organisation — to, cc,
 * subject, a rich-text body (Tiptap), a template picker, a preview rendered by the server against
 * the records with the merge fields that have no value. Merge fields stay as written
 * (`{{ contact.first_name }}`) until the server renders them when sending; a send with an empty one
 * is refused with its name. Above the form the dialog says which way the mail leaves: the member's
 * own mailbox, or the Tandem server's relay with replies to them — or that mail is not set up.
 * Attachments are the record's files, or new uploads that become its files (ComposeAttachments.tsx).
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { Editor } from '@tiptap/core'
import StarterKit from '@tiptap/starter-kit'
import { api, ApiError, get, type Schemas } from '../lib/api'
import { workspaceId } from '../lib/session'
import { Icon, Spinner, announce, toastError } from '../components/ui'
import { scoped } from '../i18n'
import './settings/email.css'
import { ComposeAttachments } from './ComposeAttachments'

const et = scoped('sending')

export interface ComposeRecords {
  contact_id?: string | null
  organisation_id?: string | null
  board_id?: string | null
  card_id?: string | null
}

const list = (value: string) => value.split(/[,;\s]+/).map((x) => x.trim()).filter(Boolean)

export function ComposeDialog({ records, to: initialTo, reply, onClose, onSent }: {
  records: ComposeRecords; to: string[]; onClose: () => void; onSent?: () => void
  reply?: { id: string; subject: string }  // the stored mail this answers (threaded: In-Reply-To, References)
}) {
  const ws = workspaceId.value!
  const dialog = useRef<HTMLDialogElement>(null)
  const host = useRef<HTMLDivElement>(null)
  const [editor, setEditor] = useState<Editor | null>(null)
  const [, setTick] = useState(0)
  const [route, setRoute] = useState<Schemas['MailRoute'] | null>(null)
  const [templates, setTemplates] = useState<Schemas['EmailTemplate'][]>([])
  const [to, setTo] = useState(initialTo.join(', '))
  const [cc, setCc] = useState('')
  const [subject, setSubject] = useState(reply ? (/^re:/i.test(reply.subject) ? reply.subject : `Re: ${reply.subject}`) : '')
  const [preview, setPreview] = useState<Schemas['Preview'] | null>(null)
  const [error, setError] = useState('')
  const [sending, setSending] = useState(false)
  const [track, setTrack] = useState(false)
  const [attached, setAttached] = useState<string[]>([])
  const given = Object.fromEntries(Object.entries(records).filter(([, v]) => v)) as ComposeRecords
  useEffect(() => {  // from a deal: its contact's first address
    if (initialTo.length || !records.contact_id) return
    void get<{ emails: string[] }>(`/api/contacts/${records.contact_id}`).then((c) => setTo((now) => now || (c.emails[0] ?? '')), () => {})
  }, [records.contact_id])
  useEffect(() => {
    dialog.current?.showModal()
    void api<Schemas['MailRoute']>('GET', `/api/workspaces/${ws}/emails/route`).then(setRoute, toastError)
    void api<Schemas['EmailTemplate'][]>('GET', `/api/workspaces/${ws}/email-templates`).then(setTemplates, () => setTemplates([]))
  }, [ws])
  useEffect(() => {
    if (!host.current) return
    const instance = new Editor({
      element: host.current,
      extensions: [StarterKit.configure({ link: { openOnClick: false } })],
      content: '<p></p>',
      editorProps: { attributes: { class: 'prose compose__body', 'aria-label': et('message'), role: 'textbox', 'aria-multiline': 'true', 'data-testid': 'compose-body' } },
      onTransaction: () => setTick((x) => x + 1),
    })
    setEditor(instance)
    return () => instance.destroy()
  }, [])
  function applyTemplate(id: string) {
    const chosen = templates.find((x) => x.id === id)
    if (!chosen || !editor) return
    setSubject(chosen.subject)
    editor.commands.setContent(chosen.body)
    setPreview(null)
  }
  const body = () => editor?.getHTML() ?? ''
  async function showPreview() {
    setError('')
    try {
      setPreview(await api<Schemas['Preview']>('POST', `/api/workspaces/${ws}/emails/preview`, { ...given, subject, body: body() }))
    } catch (e) { setError(e instanceof Error ? e.message : String(e)) }
  }
  async function send(event: Event) {
    event.preventDefault()
    setError('')
    setSending(true)
    try {
      await api<Schemas['SentEmail']>('POST', `/api/workspaces/${ws}/emails`,
        { ...given, to: list(to), cc: list(cc), subject, body: body(), reply_to_email_id: reply?.id ?? null, track, attachments: attached })
      announce(et('sent'))
      onSent?.()
      dialog.current?.close()
    } catch (e) {
      // a merge field without a value: say so in the reader's language and show which (the preview lists them)
      if (e instanceof ApiError && e.status === 422) { await showPreview(); setError(et('notSentMissing')) }
      else setError(e instanceof Error ? e.message : String(e))
    } finally { setSending(false) }
  }
  const tool = (label: string, icon: string, active: boolean, run: () => void) => (
    <button type="button" class={`tool${active ? ' is-on' : ''}`} aria-label={label} aria-pressed={active} title={label}
      onMouseDown={(e) => e.preventDefault()} onClick={run}>{icon}</button>
  )
  return (
    <dialog ref={dialog} class="dialog compose" aria-labelledby="compose-title" onClose={onClose} onCancel={onClose} data-testid="compose">
      <header class="dialog__header"><h2 id="compose-title">{et('compose')}</h2>
        <button type="button" class="icon-btn" aria-label={et('close')} onClick={() => dialog.current?.close()}><Icon name="close" /></button></header>
      {!route ? <Spinner /> : <p class={route.via === 'none' ? 'form-error' : 'notice'} role="note" data-testid="compose-route" data-via={route.via}>
        {route.via === 'mailbox' ? et('viaMailbox', { sender: route.sender ?? '' })
          : route.via === 'relay' ? et('viaRelay', { sender: route.sender ?? '', reply: route.reply_to ?? '' })
            : et('viaNone')}</p>}
      <form class="stack" onSubmit={(e) => void send(e)}>
        <label class="field"><span class="field__label">{et('to')}</span>
          <input value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} required inputMode="email" data-testid="compose-to" /></label>
        <label class="field"><span class="field__label">{et('cc')}</span>
          <input value={cc} onInput={(e) => setCc((e.target as HTMLInputElement).value)} inputMode="email" /></label>
        <label class="field"><span class="field__label">{et('template')}</span>
          <select onChange={(e) => applyTemplate((e.target as HTMLSelectElement).value)} data-testid="compose-template">
            <option value="">{et('noTemplate')}</option>
            {templates.map((x) => <option key={x.id} value={x.id}>{x.name} ({x.locale.toUpperCase()})</option>)}
          </select></label>
        <label class="field"><span class="field__label">{et('subject')}</span>
          <input value={subject} onInput={(e) => setSubject((e.target as HTMLInputElement).value)} required data-testid="compose-subject" /></label>
        <div class="field"><span class="field__label" id="compose-body-label">{et('message')}</span>
          {editor && <div class="toolbar" role="toolbar" aria-label={et('formatting')}>
            {tool(et('bold'), 'B', editor.isActive('bold'), () => editor.chain().focus().toggleBold().run())}
            {tool(et('italic'), 'I', editor.isActive('italic'), () => editor.chain().focus().toggleItalic().run())}
            {tool(et('bulletList'), '•', editor.isActive('bulletList'), () => editor.chain().focus().toggleBulletList().run())}
          </div>}
          <div ref={host} class="compose__editor" />
        </div>
        <ComposeAttachments records={given} attached={attached} onChange={setAttached} />
        {route?.tracking && <label class="compose__track"><input type="checkbox" checked={track} data-testid="compose-track"
          onChange={(e) => setTrack((e.target as HTMLInputElement).checked)} />{et('track')}</label>}
        {preview && <section class="email-templates__preview" aria-labelledby="compose-preview" data-testid="compose-preview">
          <h3 id="compose-preview">{et('preview')}</h3>
          {preview.missing.length > 0 && <p class="notice" role="status" data-testid="preview-missing">
            {et('missing')} {preview.missing.map((m) => <code key={m}>{m}</code>)}</p>}
          <p><strong>{et('subject')}:</strong> {preview.subject}</p>
          {/* sanitised by the server (nh3) before it is answered */}
          <div class="email-templates__html" dangerouslySetInnerHTML={{ __html: preview.body }} />
        </section>}
        {error && <p class="form-error" role="alert" data-testid="compose-error">{error}</p>}
        <div class="row">
          <button class="btn btn--primary" disabled={sending || route?.via === 'none'} data-testid="compose-send">{et('send')}</button>
          <button type="button" class="btn" onClick={() => void showPreview()} data-testid="compose-preview-button">{et('preview')}</button>
          <button type="button" class="btn btn--ghost" onClick={() => dialog.current?.close()}>{et('cancel')}</button>
        </div>
      </form>
    </dialog>
  )
}
