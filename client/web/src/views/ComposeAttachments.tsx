/**
 * Attachments in the compose dialog (docs/files.md): the files of the record the mail is written
 * on (a deal's, else its contact's or organisation's), each with a box to attach it, and "Upload
 * and attach" for a new file, which becomes one of the record's files. The total is shown against
 * the server's cap per mail; the server checks it again when sending.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { get, type Schemas } from '../lib/api'
import { scoped } from '../i18n'
import { Icon, toastError } from '../components/ui'
import { fileSize, filesChanged, filesPath, uploadFile, type RecordFile } from '../components/Files'
import type { ComposeRecords } from './Compose'
import '../components/files.css'

const ft = scoped('files')

export function ComposeAttachments({ records, attached, onChange }: {
  records: ComposeRecords; attached: string[]; onChange: (ids: string[]) => void
}) {
  const path = filesPath(records)
  const [files, setFiles] = useState<RecordFile[] | null>(null)
  const [max, setMax] = useState(0)
  const [error, setError] = useState('')
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => {
    if (path) void get<Schemas['RecordFiles']>(path).then((l) => { setFiles(l.files); setMax(l.attachments_max_bytes) }, () => setFiles([]))
  }, [path])
  if (!path) return null
  const total = (files ?? []).filter((f) => attached.includes(f.id)).reduce((sum, f) => sum + f.size, 0)
  const toggle = (id: string, on: boolean) => onChange(on ? [...attached, id] : attached.filter((x) => x !== id))
  async function upload(chosen: FileList) {
    setError('')
    const added: RecordFile[] = []
    for (const file of Array.from(chosen)) {
      try { added.push(await uploadFile(path!, file)) } catch (e) { setError(e instanceof Error ? e.message : String(e)); toastError(e) }
    }
    setFiles((now) => [...added, ...(now ?? [])])
    if (added.length) filesChanged.value++
    onChange([...attached, ...added.map((f) => f.id)])
  }
  return (
    <fieldset class="compose__attachments" data-testid="compose-attachments">
      <legend>{ft('attachments')}</legend>
      {files && files.length === 0 && <p class="muted small">{ft('attachNone')}</p>}
      {files?.map((f) => (
        <label key={f.id} data-testid="compose-attachment">
          <input type="checkbox" checked={attached.includes(f.id)} onChange={(e) => toggle(f.id, (e.target as HTMLInputElement).checked)} />
          <span>{f.name}</span><span class="muted small">{fileSize(f.size)}</span>
        </label>
      ))}
      <div class="row">
        <button type="button" class="btn btn--small" onClick={() => input.current?.click()} data-testid="compose-attach-upload">
          <Icon name="plus" size={14} /> {ft('attachUpload')}</button>
        <input ref={input} type="file" multiple hidden data-testid="compose-attach-input"
          onChange={(e) => { const el = e.target as HTMLInputElement; if (el.files?.length) void upload(el.files).then(() => { el.value = '' }) }} />
      </div>
      {attached.length > 0 && <p class={`small ${max && total > max ? 'form-error' : 'muted'}`} role="status" data-testid="compose-attach-total">
        {max && total > max ? ft('attachTooLarge', { max: fileSize(max) })
          : ft('attachTotal', { count: attached.length, size: fileSize(total), max: fileSize(max) })}</p>}
      {error && <p class="form-error" role="alert">{error}</p>}
    </fieldset>
  )
}
