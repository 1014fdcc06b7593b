/**
 * The Files section of a deal, contact or organisation (docs/files.md): upload by button or by
 * dropping files on it, the list newest first with size, date and who uploaded it, download (always
 * an attachment: the server sends `Content-Disposition: attachment`) and delete. Readers see the
 * list; only those who may change the record upload and delete. The server names, sniffs and caps
 * each file; the cap is shown, and a file over it is refused before it is sent.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { signal } from '@preact/signals'
import { api, del, get, query, type Schemas } from '../lib/api'
import { number, relative, shortDate } from '../lib/format'
import { scoped } from '../i18n'
import { Icon, Spinner, announce, toastError } from './ui'
import './files.css'

const ft = scoped('files')
export type RecordFile = Schemas['RecordFile']

/** Bumped when a file is uploaded or deleted anywhere in the app (compose's uploads too): lists reload. */
export const filesChanged = signal(0)

/** The files API of one record: `/api/contacts/<id>/files`, `/api/organisations/<id>/files`, `/api/deals/<board>/<card>/files`. */
export function filesPath(record: { contact_id?: string | null; organisation_id?: string | null; board_id?: string | null; card_id?: string | null }): string | null {
  if (record.board_id && record.card_id) return `/api/deals/${record.board_id}/${record.card_id}/files`
  if (record.contact_id) return `/api/contacts/${record.contact_id}/files`
  if (record.organisation_id) return `/api/organisations/${record.organisation_id}/files`
  return null
}

/** "1,2 MB", "340 KB", "12 B" in the reader's number format. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return ft('bytes', { size: number(bytes, 0) })
  if (bytes < 1024 * 1024) return ft('kilobytes', { size: number(bytes / 1024, 0) })
  return ft('megabytes', { size: number(bytes / (1024 * 1024), 1) })
}

/** Upload `file` to the record's files; the server's answer (its sniffed type and clean name). */
export function uploadFile(path: string, file: File): Promise<RecordFile> {
  return api<RecordFile>('POST', `${path}${query({ name: file.name })}`, file)
}

export function FilesSection({ path, writable, onChange }: { path: string; writable: boolean; onChange?: () => void }) {
  const [listing, setListing] = useState<Schemas['RecordFiles'] | null>(null)
  const [busy, setBusy] = useState(0)
  const [over, setOver] = useState(false)
  const [error, setError] = useState('')
  const input = useRef<HTMLInputElement>(null)
  const load = () => get<Schemas['RecordFiles']>(path).then(setListing, (e) => { setListing({ files: [], max_bytes: 0, attachments_max_bytes: 0 }); toastError(e) })
  const version = filesChanged.value
  useEffect(() => { setListing(null) }, [path])
  useEffect(() => { void load() }, [path, version])

  async function upload(files: FileList | File[]) {
    setError('')
    const max = listing?.max_bytes ?? 0
    for (const file of Array.from(files)) {
      if (max && file.size > max) { setError(ft('tooLarge', { name: file.name, max: fileSize(max) })); continue }
      setBusy((n) => n + 1)
      try {
        const added = await uploadFile(path, file)
        announce(ft('uploaded', { name: added.name }))
      } catch (e) { setError(e instanceof Error ? e.message : String(e)) } finally { setBusy((n) => n - 1) }
    }
    filesChanged.value++
    onChange?.()
  }
  async function remove(file: RecordFile) {
    if (!confirm(ft('deleteConfirm', { name: file.name }))) return
    try {
      await del(file.url)
      announce(ft('deleted', { name: file.name }))
      filesChanged.value++
      onChange?.()
    } catch (e) { toastError(e) }
  }
  const drop = writable ? {
    onDragOver: (e: DragEvent) => { e.preventDefault(); setOver(true) },
    onDragLeave: () => setOver(false),
    onDrop: (e: DragEvent) => { e.preventDefault(); setOver(false); if (e.dataTransfer?.files.length) void upload(e.dataTransfer.files) },
  } : {}
  return (
    <section class={`card-surface files${over ? ' is-over' : ''}`} aria-labelledby="record-files" data-testid="files" {...drop}>
      <header class="files__header">
        <h2 id="record-files">{ft('title')}</h2>
        {writable && <>
          <button type="button" class="btn btn--small" onClick={() => input.current?.click()} data-testid="files-upload">
            <Icon name="plus" size={14} /> {ft('upload')}</button>
          <input ref={input} type="file" multiple hidden data-testid="files-input"
            onChange={(e) => { const el = e.target as HTMLInputElement; if (el.files?.length) void upload(el.files).then(() => { el.value = '' }) }} />
        </>}
      </header>
      {busy > 0 && <Spinner label={ft('uploading')} />}
      {error && <p class="form-error" role="alert" data-testid="files-error">{error}</p>}
      {!listing ? <Spinner /> : listing.files.length === 0 ? (
        <p class="muted files__empty" data-testid="files-empty">{writable ? ft('emptyWritable') : ft('empty')}</p>
      ) : (
        <ul class="files__list">{listing.files.map((f) => (
          <li key={f.id} class="files__item" data-testid="file">
            <a class="files__name" href={f.url} download={f.name} title={ft('download', { name: f.name })}>{f.name}</a>
            <span class="muted files__meta">
              {fileSize(f.size)} · <time dateTime={f.created_at} title={shortDate(f.created_at)}>{relative(f.created_at)}</time>
              {f.uploaded_by_name ? ` · ${f.uploaded_by_name}` : ''}</span>
            {writable && <button type="button" class="icon-btn files__delete" aria-label={ft('delete', { name: f.name })}
              title={ft('delete', { name: f.name })} onClick={() => void remove(f)} data-testid="file-delete"><Icon name="close" size={14} /></button>}
          </li>
        ))}</ul>
      )}
      {writable && listing && listing.max_bytes > 0 && <p class="muted small">{ft('hint', { max: fileSize(listing.max_bytes) })}</p>}
    </section>
  )
}
