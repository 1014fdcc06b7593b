/**
 * Changing several contacts or organisations at once: the bar that shows over the list while
 * rows are selected — set the owner, add or remove a label, delete. Each change is the record's
 * own `PATCH` / `DELETE`, a few at a time, so the server checks every one as it would alone (the
 * delete level an admin set included); what it refused is reported with its reason.
 */
import { useState } from 'preact/hooks'
import { del, patch } from '../../lib/api'
import { me, members } from '../../lib/session'
import { mayDelete } from '../../lib/permissions'
import type { AnyRecord, RecordKind } from '../../lib/records'
import { announce, toast } from '../../components/ui'
import { rt, scoped } from '../../i18n'
import { EnrolDialog } from '../sequences/Sequences'
import { PERMISSION_TEXT as T } from '../../lib/text'
import './records.css'

const AT_ONCE = 4

/** Run `step` over `items`, `AT_ONCE` at a time; the reasons of those that failed. */
async function each<T>(items: T[], step: (item: T) => Promise<unknown>): Promise<string[]> {
  const failed: string[] = []
  for (let i = 0; i < items.length; i += AT_ONCE) {
    const results = await Promise.allSettled(items.slice(i, i + AT_ONCE).map(step))
    for (const r of results) if (r.status === 'rejected') failed.push(r.reason instanceof Error ? r.reason.message : String(r.reason))
  }
  return failed
}

export function BulkBar({ kind, selected, onDone, onClear }: {
  kind: RecordKind; selected: AnyRecord[]; onDone: (deleted: string[]) => void; onClear: () => void
}) {
  const [owner, setOwner] = useState('')
  const [label, setLabel] = useState('')
  const [busy, setBusy] = useState(false)
  const [enrolling, setEnrolling] = useState(false)  // the enrol dialog (e-mail sequences)
  const count = selected.length

  async function run(change: (r: AnyRecord) => Promise<unknown>, records = selected, deleting = false) {
    setBusy(true)
    const failed = await each(records, change)
    setBusy(false)
    const done = records.length - failed.length
    const skipped = count - done
    const said = rt(deleting ? 'bulkDeleted' : 'bulkDone', { count: done })
    announce(said)
    if (skipped) toast(`${said} ${rt('bulkSkipped', { count: skipped, reason: failed[0] ?? T.deleteRefusedOwn })}`, 'error')
    else toast(said)
    if (!deleting) onDone([])
  }
  const setOwnerAll = () => owner && run((r) => patch(`/api/${kind}/${r.id}`, { owner_id: owner }))
  const addLabel = () => {
    const l = label.trim()
    if (l) void run((r) => patch(`/api/${kind}/${r.id}`, { labels: [...r.labels.filter((x) => x !== l), l] }))
  }
  const removeLabel = () => {
    const l = label.trim()
    if (l) void run((r) => patch(`/api/${kind}/${r.id}`, { labels: r.labels.filter((x) => x !== l) }))
  }
  async function remove() {
    if (!confirm(rt('confirmBulkDelete', { count }))) return
    const allowed = selected.filter((r) => mayDelete(r.owner_id, me.value?.id))
    const gone: string[] = []
    await run(async (r) => {
      await del(`/api/${kind}/${r.id}`)
      gone.push(r.id)
    }, allowed, true)
    onDone(gone)
  }
  return (
    <div class="bulk" role="region" aria-label={rt('bulkActions')} data-testid="bulk-bar">
      <strong class="bulk__count" aria-live="polite">{rt('selected', { count })}</strong>
      <div class="bulk__group">
        <label class="sr-only" for="bulk-owner">{rt('setOwner')}</label>
        <select id="bulk-owner" value={owner} disabled={busy} onChange={(e) => setOwner((e.target as HTMLSelectElement).value)}>
          <option value="">{rt('setOwner')}…</option>
          {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
        </select>
        <button class="btn btn--small" disabled={busy || !owner} onClick={setOwnerAll}>{rt('apply')}</button>
      </div>
      <div class="bulk__group">
        <label class="sr-only" for="bulk-label">{rt('labelPlaceholder')}</label>
        <input id="bulk-label" value={label} disabled={busy} placeholder={rt('labelPlaceholder')} size={10}
          onInput={(e) => setLabel((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => { if (e.key === 'Enter') addLabel() }} />
        <button class="btn btn--small" disabled={busy || !label.trim()} onClick={addLabel}>{rt('addLabel')}</button>
        <button class="btn btn--small btn--ghost" disabled={busy || !label.trim()} onClick={removeLabel}>{rt('removeLabel')}</button>
      </div>
      <div class="bulk__group bulk__end">
        {kind === 'contacts' && <button class="btn btn--small" disabled={busy} data-testid="bulk-enrol"
          onClick={() => setEnrolling(true)}>{scoped('sequences')('enrol')}</button>}
        <button class="btn btn--small btn--danger" disabled={busy} onClick={remove}>{rt('deleteSelected')}</button>
        <button class="btn btn--small btn--ghost" disabled={busy} onClick={onClear}>{rt('clearSelection')}</button>
      </div>
      {enrolling && <EnrolDialog contacts={selected.map((r) => ({ id: r.id, name: r.name }))}
        onClose={() => setEnrolling(false)} onDone={() => onDone([])} />}
    </div>
  )
}
