/**
 * Contacts and organisations: a searchable, filterable list with saved segments (renamed and
 * deleted here too) and rows to select for bulk changes (`records/Bulk.tsx`), a detail page with
 * what hangs off the record (deals, activities, notes, its timeline: `records/Timeline.tsx`), and
 * the picker the deal panel uses. Duplicates are merged on their own page (`records/Duplicates.tsx`).
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { del, get, patch, post, type Schemas } from '../lib/api'
import { navigate } from '../lib/router'
import { boards, canEdit, isAdmin, me, memberName, members, workspaceId } from '../lib/session'
import { mayDelete, permissions, refreshPermissions } from '../lib/permissions'
import { PERMISSION_TEXT as T } from '../lib/text'
import { useSyncedDoc } from '../lib/ydocs'
import { labelColour, loadPickLists } from '../lib/lists'
import {
  listRecords, recordName, rememberName, watchChanges, type AnyRecord, type Contact, type Links, type ListParams, type Organisation,
  type RecordKind, type Segment,
} from '../lib/records'
import { money, relative, shortDate } from '../lib/format'
import { Avatar, Empty, Icon, Spinner, announce, toast, toastError } from '../components/ui'
import { LiveInput } from '../components/inputs'
import { NotesSection } from './Notes'
import { CustomFieldRows } from '../components/CustomFields'
import { OrganisationDeals, Timeline } from './records/Timeline'
import { RecordRequests } from './requests/RecordRequests'
import { NewActivity } from '../components/NewActivity'
import { ComposeDialog } from './ComposeLazy'
import { ContactSequences } from './sequences/Sequences'
import { ContactScore } from './scoring/ScoreBadge'
import { FilesSection } from '../components/Files'
import { BulkBar } from './records/Bulk'
import { DuplicatesPage } from './records/Duplicates'
import { rt, scoped, t } from '../i18n'
import './records/records.css'

const singular = (kind: RecordKind) => (kind === 'contacts' ? 'contact' : 'organisation')

function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value)
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms)
    return () => clearTimeout(t)
  }, [value])
  return v
}

export function ContactsPage({ kind }: { kind: RecordKind }) {
  const ws = workspaceId.value!
  const [q, setQ] = useState('')
  const [owner, setOwner] = useState('')
  const [label, setLabel] = useState('')
  const [segment, setSegment] = useState<Segment | null>(null)
  const [segments, setSegments] = useState<Segment[]>([])
  const [items, setItems] = useState<AnyRecord[] | null>(null)
  const [next, setNext] = useState<number | null>(null)
  const [error, setError] = useState('')
  const [creating, setCreating] = useState(false)
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const search = useDebounced(q)
  const labelFilter = useDebounced(label)
  const [changed, setChanged] = useState(0)
  const live = useSyncedDoc(`workspace:${ws}`)
  useEffect(() => live ? watchChanges(live.doc, (keys) => {
    if (keys.some((k) => k.startsWith(`${singular(kind)}:`))) setChanged((n) => n + 1)
  }) : undefined, [live, kind])
  const params: ListParams = { q: search, owner, label: labelFilter, segment: segment?.id }
  useEffect(() => { refreshPermissions(ws).catch(toastError) }, [ws])
  useEffect(() => { loadPickLists(ws).catch(() => null) }, [ws]) // the labels' colours
  const mayExport = permissions.value?.you.export ?? true

  useEffect(() => {
    get<Segment[]>(`/api/workspaces/${ws}/segments`).then(
      (list) => setSegments(list.filter((s) => s.entity === singular(kind))), () => setSegments([]))
  }, [ws, kind])
  useEffect(() => {
    let live = true
    setError('')
    listRecords(ws, kind, params).then((page) => {
      if (!live) return
      setItems(page.items)
      setSelected((old) => new Set(page.items.filter((r) => old.has(r.id)).map((r) => r.id)))
      setNext(page.next_offset)
    }, (e) => live && setError(e instanceof Error ? e.message : String(e)))
    return () => { live = false }
  }, [ws, kind, search, owner, labelFilter, segment?.id, changed])

  async function more() {
    if (next === null) return
    const page = await listRecords(ws, kind, { ...params, offset: next })
    setItems([...(items ?? []), ...page.items])
    setNext(page.next_offset)
  }
  async function saveSegment() {
    const name = prompt(t('contacts.segmentPrompt'), q || label || t('contacts.segmentDefault'))
    if (!name) return
    try {
      const created = await post<Segment>(`/api/workspaces/${ws}/segments`, {
        name, entity: singular(kind), filter: { q: q || null, owner: owner || null, labels: label ? [label] : [] },
      })
      setSegments([...segments, created])
      setSegment(created)
      setQ(''); setOwner(''); setLabel('')
      announce(t('contacts.segmentSaved', { name }))
    } catch (e) {
      toastError(e)
    }
  }
  async function renameSegment(s: Segment) {
    const name = prompt(rt('segmentName'), s.name)?.trim()
    if (!name || name === s.name) return
    try {
      const renamed = await patch<Segment>(`/api/segments/${s.id}`, { name })
      setSegments(segments.map((x) => (x.id === s.id ? renamed : x)))
      setSegment(renamed)
      announce(rt('segmentRenamed', { name }))
    } catch (e) {
      toastError(e)
    }
  }
  async function deleteSegment(s: Segment) {
    if (!confirm(rt('confirmDeleteSegment', { name: s.name }))) return
    try {
      await del(`/api/segments/${s.id}`)
      setSegments(segments.filter((x) => x.id !== s.id))
      setSegment(null)
      announce(rt('segmentDeleted', { name: s.name }))
    } catch (e) {
      toastError(e)
    }
  }
  const toggle = (id: string) => setSelected((old) => {
    const next = new Set(old)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    return next
  })
  const allOn = Boolean(items?.length) && items!.every((r) => selected.has(r.id))
  const filtered = Boolean(q || owner || label)
  const title = t(`records.${kind}.title`)
  return (
    <div class="page-wide">
      <header class="page-header">
        <div class="page-header__title"><h1>{title}</h1></div>
        <div class="row row--wrap">
          {mayExport
            ? <a class="btn btn--ghost" href={`/api/workspaces/${ws}/export/${kind}.csv`} download>{t('contacts.exportCsv')}</a>
            : <><button class="btn btn--ghost" disabled aria-describedby="export-reason">{t('contacts.exportCsv')}</button>
              <span id="export-reason" class="reason">{T.exportRefused}</span></>}
          {kind === 'contacts' && <a class="btn btn--ghost" href={`/w/${ws}/contacts/duplicates`}>{rt('findDuplicates')}</a>}
          {canEdit.value && <a class="btn btn--ghost" href={`/w/${ws}/import`}>{t('contacts.import')}</a>}
          {canEdit.value && <button class="btn btn--primary" onClick={() => setCreating(true)}><Icon name="plus" size={16} />{t(`records.${kind}.new`)}</button>}
        </div>
      </header>
      <div class="segments" role="group" aria-label={t('contacts.segments')}>
        <button class={`chip${!segment ? ' is-on' : ''}`} aria-pressed={!segment} onClick={() => setSegment(null)}>{t(`records.${kind}.all`)}</button>
        {segments.map((s) => (
          <button key={s.id} class={`chip${segment?.id === s.id ? ' is-on' : ''}`} aria-pressed={segment?.id === s.id} onClick={() => setSegment(s)}>{s.name}</button>
        ))}
        {segment && canEdit.value && <span class="segment-tools">
          <button class="btn btn--small btn--ghost" onClick={() => renameSegment(segment)}>{rt('renameSegment')}</button>
          <button class="btn btn--small btn--ghost" onClick={() => deleteSegment(segment)}>{rt('deleteSegment')}</button></span>}
        {filtered && canEdit.value && <button class="chip chip--dashed" onClick={saveSegment}><Icon name="plus" size={14} />{t('contacts.saveSegment')}</button>}
      </div>
      <div class="filters" role="search" aria-label={t(`records.${kind}.filter`)}>
        <label class="filters__search"><Icon name="search" size={16} /><span class="sr-only">{t(`records.${kind}.search`)}</span>
          <input type="search" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)}
            placeholder={t(`records.${kind}.searchPlaceholder`)} /></label>
        <label class="field field--inline"><span class="field__label">{t('contacts.owner')}</span>
          <select value={owner} onChange={(e) => setOwner((e.target as HTMLSelectElement).value)}>
            <option value="">{t('contacts.anyone')}</option>
            {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
          </select></label>
        <label class="field field--inline"><span class="field__label">{t('contacts.label')}</span>
          <input value={label} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} placeholder={t('contacts.labelPlaceholder')} /></label>
      </div>
      {creating && <NewRecord kind={kind} onClose={() => setCreating(false)} onCreated={(r) => { setItems([r, ...(items ?? [])]); setCreating(false) }} />}
      {error ? <Empty title={t('contacts.loadFailed')}>{error}</Empty> : items === null ? <Spinner /> : items.length === 0 ? (
        <Empty title={filtered || segment ? t('contacts.nothingMatches') : t(`records.${kind}.none`)} icon="☺">
          {filtered || segment ? t('contacts.fewerFilters') : canEdit.value ? <>{t('contacts.addOneOr')}<a href={`/w/${ws}/import`}>{t('contacts.importCsv')}</a>.</> : null}
        </Empty>
      ) : (
        <>
          {canEdit.value && selected.size > 0 && (
            <BulkBar kind={kind} selected={items.filter((r) => selected.has(r.id))} onClear={() => setSelected(new Set())}
              onDone={(gone) => {
                if (gone.length) setItems(items.filter((r) => !gone.includes(r.id)))
                setSelected(new Set())
                setChanged((n) => n + 1)
              }} />
          )}
          <div class="table-wrap">
            <table class="table" data-testid={`${kind}-table`}>
              <caption class="sr-only">{segment ? t('contacts.inSegment', { title, name: segment.name }) : title}</caption>
              <thead>
                {kind === 'contacts'
                  ? <tr>{canEdit.value && <SelectAll on={allOn} onChange={(on) => setSelected(on ? new Set(items.map((r) => r.id)) : new Set())} />}<th scope="col">{t('contacts.name')}</th><th scope="col">{t('contacts.organisation')}</th><th scope="col">{t('contacts.email')}</th><th scope="col">{t('contacts.phone')}</th><th scope="col">{t('contacts.owner')}</th><th scope="col">{t('contacts.labels')}</th></tr>
                  : <tr>{canEdit.value && <SelectAll on={allOn} onChange={(on) => setSelected(on ? new Set(items.map((r) => r.id)) : new Set())} />}<th scope="col">{t('contacts.name')}</th><th scope="col">{t('contacts.website')}</th><th scope="col">{t('contacts.contactsColumn')}</th><th scope="col">{t('contacts.phone')}</th><th scope="col">{t('contacts.owner')}</th><th scope="col">{t('contacts.labels')}</th></tr>}
              </thead>
              <tbody>
                {items.map((r) => {
                  const pick = canEdit.value ? { on: selected.has(r.id), toggle: () => toggle(r.id) } : null
                  return kind === 'contacts' ? <ContactRow key={r.id} c={r as Contact} pick={pick} /> : <OrgRow key={r.id} o={r as Organisation} pick={pick} />
                })}
              </tbody>
            </table>
          </div>
          {next !== null && <p class="center"><button class="btn" onClick={more}>{t('common.loadMore')}</button></p>}
        </>
      )}
    </div>
  )
}

function Labels({ labels }: { labels: string[] }) {
  return <span class="labels">{labels.map((l) => <span key={l} class={`tag tag--label label--${labelColour(l) ?? 'none'}`}>{l}</span>)}</span>
}

function OwnerCell({ id }: { id: string | null }) {
  if (!id) return <td class="muted">—</td>
  return <td><span class="person"><Avatar id={id} name={memberName(id)} size={22} />{memberName(id)}</span></td>
}

type Pick = { on: boolean; toggle: () => void } | null

function SelectAll({ on, onChange }: { on: boolean; onChange: (on: boolean) => void }) {
  return <th scope="col" class="select-cell"><input type="checkbox" checked={on} aria-label={rt('selectAll')}
    onChange={(e) => onChange((e.target as HTMLInputElement).checked)} /></th>
}

function SelectCell({ pick, name }: { pick: Pick; name: string }) {
  if (!pick) return null
  return <td class="select-cell"><input type="checkbox" checked={pick.on} aria-label={rt('select', { name })} onChange={pick.toggle} /></td>
}

function ContactRow({ c, pick }: { c: Contact; pick: Pick }) {
  const ws = workspaceId.value
  return (
    <tr class={pick?.on ? 'is-selected' : ''}>
      <SelectCell pick={pick} name={c.name} />
      <th scope="row"><a href={`/w/${ws}/contacts/${c.id}`} class="person"><Avatar id={c.id} name={c.name} size={28} />
        <span><strong>{c.name}</strong>{c.job_title && <span class="muted block">{c.job_title}</span>}</span></a></th>
      <td>{c.organisation ? <a href={`/w/${ws}/organisations/${c.organisation.id}`}>{c.organisation.name}</a> : <span class="muted">—</span>}</td>
      <td>{c.emails[0] ? <a href={`mailto:${c.emails[0]}`}>{c.emails[0]}</a> : <span class="muted">—</span>}</td>
      <td>{c.phones[0] ? <a href={`tel:${c.phones[0]}`}>{c.phones[0]}</a> : <span class="muted">—</span>}</td>
      <OwnerCell id={c.owner_id} />
      <td><Labels labels={c.labels} /></td>
    </tr>
  )
}

function OrgRow({ o, pick }: { o: Organisation; pick: Pick }) {
  const ws = workspaceId.value
  return (
    <tr class={pick?.on ? 'is-selected' : ''}>
      <SelectCell pick={pick} name={o.name} />
      <th scope="row"><a href={`/w/${ws}/organisations/${o.id}`} class="person"><span class="org-mark" aria-hidden="true">{o.name.slice(0, 1)}</span><strong>{o.name}</strong></a></th>
      <td>{o.website ? <a href={/^https?:/.test(o.website) ? o.website : `https://${o.website}`} target="_blank" rel="noreferrer">{o.website.replace(/^https?:\/\//, '')}</a> : <span class="muted">—</span>}</td>
      <td>{o.contacts_count}</td>
      <td>{o.phones[0] ?? <span class="muted">—</span>}</td>
      <OwnerCell id={o.owner_id} />
      <td><Labels labels={o.labels} /></td>
    </tr>
  )
}

function NewRecord({ kind, onClose, onCreated }: { kind: RecordKind; onClose: () => void; onCreated: (r: AnyRecord) => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [error, setError] = useState('')
  const [org, setOrg] = useState('')
  useEffect(() => dialog.current?.showModal(), [])
  async function submit(event: Event) {
    event.preventDefault()
    const d = new FormData(event.currentTarget as HTMLFormElement)
    const list = (name: string) => String(d.get(name) ?? '').split(',').map((x) => x.trim()).filter(Boolean)
    const body = kind === 'contacts'
      ? { first_name: d.get('first_name'), last_name: d.get('last_name'), emails: list('email'), phones: list('phone'), job_title: d.get('job_title'), organisation_id: org || null }
      : { name: d.get('name'), website: d.get('website'), emails: list('email'), phones: list('phone') }
    try {
      const created = await post<AnyRecord>(`/api/workspaces/${workspaceId.value}/${kind}`, body)
      announce(t('contacts.created', { name: created.name }))
      onCreated(created)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="new-record-title" onClose={onClose} onCancel={onClose}>
      <header class="dialog__header"><h2 id="new-record-title">{t(`records.${kind}.new`)}</h2>
        <button class="icon-btn" aria-label={t('common.close')} onClick={() => dialog.current?.close()}><Icon name="close" /></button></header>
      <form class="stack" onSubmit={submit}>
        {kind === 'contacts' ? <>
          <div class="row"><label class="field grow"><span class="field__label">{t('contacts.firstName')}</span><input name="first_name" autoFocus /></label>
            <label class="field grow"><span class="field__label">{t('contacts.lastName')}</span><input name="last_name" /></label></div>
          <label class="field"><span class="field__label">{t('contacts.jobTitle')}</span><input name="job_title" /></label>
          <div class="field"><span class="field__label">{t('contacts.organisation')}</span><RecordPicker kind="organisations" label={t('contacts.organisation')} value={org} onChange={setOrg} /></div>
        </> : <>
          <label class="field"><span class="field__label">{t('contacts.name')}</span><input name="name" required autoFocus /></label>
          <label class="field"><span class="field__label">{t('contacts.website')}</span><input name="website" placeholder={t('contacts.websitePlaceholder')} /></label>
        </>}
        <label class="field"><span class="field__label">{t('contacts.email')}</span><input name="email" type="text" inputMode="email" placeholder={t('contacts.emailPlaceholder')} /></label>
        <label class="field"><span class="field__label">{t('contacts.phone')}</span><input name="phone" type="tel" /></label>
        {error && <p class="form-error" role="alert">{error}</p>}
        <div class="row"><button class="btn btn--primary">{t('common.create')}</button><button type="button" class="btn btn--ghost" onClick={() => dialog.current?.close()}>{t('common.cancel')}</button></div>
      </form>
    </dialog>
  )
}

/** `/contacts/:id` and `/organisations/:id`; `/contacts/duplicates` is the merge screen. */
export function ContactPage({ kind, id }: { kind: RecordKind; id: string }) {
  if (kind === 'contacts' && id === 'duplicates') return <DuplicatesPage />
  return <RecordDetail key={`${kind}:${id}`} kind={kind} id={id} />
}

function RecordDetail({ kind, id }: { kind: RecordKind; id: string }) {
  const [record, setRecord] = useState<AnyRecord | null | 'missing'>(null)
  const [links, setLinks] = useState<Links | null>(null)
  const [people, setPeople] = useState<Contact[]>([])
  const ws = workspaceId.value!
  const [changed, setChanged] = useState(0)
  const [compose, setCompose] = useState<{ reply?: { id: string; subject: string }; to?: string[] } | null>(null)
  const [mailed, setMailed] = useState(0)
  const live = useSyncedDoc(`workspace:${ws}`)
  useEffect(() => live ? watchChanges(live.doc, (keys) => {
    if (keys.includes(`${singular(kind)}:${id}`)) setChanged((n) => n + 1)
    // an activity added or changed on any board may be this contact's (issue 18): its list refetches
    if (keys.some((k) => k.startsWith('activities:'))) {
      if (kind === 'contacts') get<Links>(`/api/contacts/${id}/links`).then(setLinks, () => null)
      setMailed((n) => n + 1) // the timeline too
    }
  }) : undefined, [live, kind, id])
  useEffect(() => {
    if (changed) get<AnyRecord>(`/api/${kind}/${id}`).then(setRecord, () => setRecord('missing'))
  }, [changed])
  useEffect(() => {
    setRecord(null)
    get<AnyRecord>(`/api/${kind}/${id}`).then(setRecord, () => setRecord('missing'))
    if (kind === 'contacts') get<Links>(`/api/contacts/${id}/links`).then(setLinks, () => setLinks(null))
    else listRecords<Contact>(ws, 'contacts', { organisation: id }).then((p) => setPeople(p.items), () => setPeople([]))
  }, [kind, id])
  if (record === 'missing') return <Empty title={t(`records.${kind}.missing`)}><a href={`/w/${ws}/${kind}`}>{t('contacts.backToList')}</a></Empty>
  if (!record) return <Spinner />
  const save = async (changes: Record<string, unknown>) => {
    try {
      const updated = await patch<AnyRecord>(`/api/${kind}/${id}`, changes)
      setRecord(updated)
      rememberName(kind, id, updated.name)
    } catch (e) {
      toastError(e)
    }
  }
  const noteBoard = boards.value.find((b) => b.kind === 'pipeline' && b.access === 'write') ?? boards.value[0]
  const contact = kind === 'contacts' ? (record as Contact) : null
  const org = kind === 'organisations' ? (record as Organisation) : null
  const editable = canEdit.value
  const boardName = (bid: string) => boards.value.find((b) => b.id === bid)?.name ?? ''
  return (
    <div class="page-wide detail">
      <nav class="crumbs" aria-label={t('contacts.breadcrumb')}><a href={`/w/${ws}/${kind}`}>{t(`records.${kind}.title`)}</a> / <span aria-current="page">{record.name}</span></nav>
      <header class="detail__header">
        {contact ? <Avatar id={record.id} name={record.name} size={56} /> : <span class="org-mark org-mark--large" aria-hidden="true">{record.name.slice(0, 1)}</span>}
        <div>
          <h1>{record.name}</h1>
          {contact && <ContactScore workspace={ws} contact={record.id} />}
          <p class="muted">
            {contact?.job_title}{contact?.job_title && contact.organisation ? t('contacts.at') : ''}
            {contact?.organisation && <a href={`/w/${ws}/organisations/${contact.organisation.id}`}>{contact.organisation.name}</a>}
            {org?.website}
          </p>
        </div>
        {editable && <button type="button" class="btn btn--small detail__mail" data-testid="write-email"
          onClick={() => setCompose({})}><Icon name="email" size={14} />{scoped('sending')('write')}</button>}
      </header>
      <div class="detail__grid">
        <section class="card-surface fields" aria-label={t('common.details')}>
          {contact ? <>
            <DetailRow label={t('contacts.firstName')}><LiveInput aria-label={t('contacts.firstName')} value={contact.first_name} readOnly={!editable} onCommit={(v) => save({ first_name: v })} /></DetailRow>
            <DetailRow label={t('contacts.lastName')}><LiveInput aria-label={t('contacts.lastName')} value={contact.last_name} readOnly={!editable} onCommit={(v) => save({ last_name: v })} /></DetailRow>
            <DetailRow label={t('contacts.jobTitle')}><LiveInput aria-label={t('contacts.jobTitle')} value={contact.job_title} readOnly={!editable} onCommit={(v) => save({ job_title: v })} /></DetailRow>
            <DetailRow label={t('contacts.organisation')}><RecordPicker kind="organisations" label={t('contacts.organisation')} value={contact.organisation?.id ?? ''} disabled={!editable} onChange={(v) => save({ organisation_id: v || null })} /></DetailRow>
          </> : <>
            <DetailRow label={t('contacts.name')}><LiveInput aria-label={t('contacts.name')} value={org!.name} readOnly={!editable} onCommit={(v) => save({ name: v })} /></DetailRow>
            <DetailRow label={t('contacts.website')}><LiveInput aria-label={t('contacts.website')} value={org!.website} readOnly={!editable} onCommit={(v) => save({ website: v })} /></DetailRow>
          </>}
          <DetailRow label={t('contacts.email')}><LiveInput aria-label={t('contacts.emails')} value={record.emails.join(', ')} readOnly={!editable} onCommit={(v) => save({ emails: v.split(',').map((x) => x.trim()).filter(Boolean) })} /></DetailRow>
          <DetailRow label={t('contacts.phone')}><LiveInput aria-label={t('contacts.phones')} value={record.phones.join(', ')} readOnly={!editable} onCommit={(v) => save({ phones: v.split(',').map((x) => x.trim()).filter(Boolean) })} /></DetailRow>
          <DetailRow label={t('contacts.labels')}><LiveInput aria-label={t('contacts.labels')} value={record.labels.join(', ')} readOnly={!editable} onCommit={(v) => save({ labels: v.split(',').map((x) => x.trim()).filter(Boolean) })} /></DetailRow>
          <DetailRow label={rt('owner')}>{editable
            ? <select aria-label={rt('changeOwner')} value={record.owner_id ?? ''} onChange={(e) => save({ owner_id: (e.target as HTMLSelectElement).value || null })}>
              <option value="">—</option>
              {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
            </select>
            : <span>{record.owner_id ? memberName(record.owner_id) : '—'}</span>}</DetailRow>
          <CustomFieldRows workspace={ws} entity={singular(kind)} values={record.fields} editable={editable} Row={DetailRow}
            onChange={(key, value) => save({ fields: { [key]: value } })} />
        </section>
        <div class="stack">
          {contact && (
            <section class="card-surface" aria-labelledby="linked-deals">
              <h2 id="linked-deals">{t('contacts.deals')}</h2>
              {!links ? <p class="muted">{t('contacts.noLinkedDeals')}</p> : links.deals.length === 0 ? <p class="muted">{t('contacts.noDealsWith', { name: record.name })}</p> : (
                <ul class="link-list">{links.deals.map((d) => (
                  <li key={d.card_id}><a href={`/w/${ws}/boards/${d.board_id}/deals/${d.card_id}`}>{d.title}</a>
                    <span class="muted">{boardName(d.board_id)}</span>
                    {d.value != null && <span>{money(d.value, d.currency ?? 'EUR')}</span>}
                    {d.status && d.status !== 'open' && <span class={`tag tag--${d.status}`}>{d.status === 'won' || d.status === 'lost' ? t(`statusTag.${d.status}`) : d.status}</span>}</li>
                ))}</ul>
              )}
            </section>
          )}
          {contact && links && (
            <section class="card-surface" aria-labelledby="linked-activities">
              <h2 id="linked-activities">{t('contacts.activities')}</h2>
              {links.activities.length === 0 ? <p class="muted">{t('newActivity.none')}</p> : (
                <ul class="link-list">{links.activities.map((a) => (
                  <li key={a.activity_id} class={a.done ? 'is-done' : ''}><Icon name={a.type} size={14} /> {a.title}
                    {a.due_date && <span class="muted">{shortDate(a.due_date)}</span>}{a.done && <span class="tag">{t('statusTag.done')}</span>}</li>
                ))}</ul>
              )}
              {editable && <NewActivity contact={id} idPrefix="contact-activity" />}
            </section>
          )}
          {org && <OrganisationDeals id={id} name={record.name} />}
          {org && editable && (
            <section class="card-surface" aria-labelledby="org-activities">
              <h2 id="org-activities">{t('contacts.activities')}</h2>
              <p class="muted small">{t('newActivity.orgHint')}</p>
              <NewActivity organisation={id} idPrefix="org-activity" />
            </section>
          )}
          {org && (
            <section class="card-surface" aria-labelledby="org-people">
              <h2 id="org-people">{t('contacts.people')}</h2>
              {people.length === 0 ? <p class="muted">{t('contacts.noPeople', { name: record.name })}</p> : (
                <ul class="link-list">{people.map((p) => (
                  <li key={p.id}><a class="person" href={`/w/${ws}/contacts/${p.id}`}><Avatar id={p.id} name={p.name} size={22} />{p.name}</a><span class="muted">{p.job_title}</span></li>
                ))}</ul>
              )}
            </section>
          )}
          <section class="card-surface" aria-labelledby="record-notes">
            <h2 id="record-notes">{t('contacts.notes')}</h2>
            {noteBoard
              ? <NotesSection subjectKind={contact ? 'contact' : 'organisation'} subjectId={id} board={noteBoard.id} writable={editable} />
              : <p class="muted">{t('contacts.notesNeedBoard')}</p>}
          </section>
          <FilesSection path={`/api/${kind}/${id}/files`} writable={editable} />
          {contact && <ContactSequences contact={id} name={record.name} editable={editable} />}
          <RecordRequests kind={kind} id={id} name={record.name} editable={editable} />
          <Timeline kind={kind} id={id} name={record.name} reload={mailed}
            onReply={editable ? (mail) => setCompose({ reply: mail, to: mail.incoming ? [mail.from] : undefined }) : undefined} />
          {compose && <ComposeDialog records={kind === 'contacts' ? { contact_id: id } : { organisation_id: id }}
            to={compose.to ?? record.emails.slice(0, 1)} reply={compose.reply} onClose={() => setCompose(null)}
            onSent={() => setMailed((n) => n + 1)} />}
          <RecordActions kind={kind} record={record} />
          <p class="muted small">{t('contacts.added', { when: relative(record.created_at) })}</p>
        </div>
      </div>
    </div>
  )
}

/** How many files a record's deletion takes with it (docs/files.md); 0 when they cannot be listed. */
async function filesGoing(path: string): Promise<number> {
  try {
    return (await get<Schemas['RecordFiles']>(path)).files.length
  } catch {
    return 0 // the question is still asked, without the count
  }
}

/** Delete (as the workspace's delete level allows, else disabled with the reason) and, for admins, erase. */
function RecordActions({ kind, record }: { kind: RecordKind; record: AnyRecord }) {
  const ws = workspaceId.value!
  const [erasing, setErasing] = useState(false)
  useEffect(() => { refreshPermissions(ws).catch(toastError) }, [ws])
  if (!canEdit.value) return null
  const allowed = mayDelete(record.owner_id, me.value?.id)
  const reason = permissions.value?.you.delete === 'own' ? T.deleteRefusedOwn : T.deleteRefused
  async function remove() {
    const going = await filesGoing(`/api/${kind}/${record.id}/files`)
    const question = t('contacts.deleteConfirm', { name: record.name })
    if (!confirm(going ? `${question} ${t('files.goWithRecord', { count: going })}` : question)) return
    try {
      await del(`/api/${kind}/${record.id}`)
      announce(t('contacts.deleted', { name: record.name }))
      navigate(`/w/${ws}/${kind}`)
    } catch (e) {
      toastError(e)
    }
  }
  return (
    <section class="card-surface danger-zone" aria-label={t('contacts.deleteOrErase')}>
      <div class="row row--wrap">
        <button class="btn btn--danger" disabled={!allowed} aria-describedby={allowed ? undefined : 'delete-reason'} onClick={remove}>
          {t(`records.${kind}.delete`)}</button>
        {kind === 'contacts' && isAdmin.value && (permissions.value?.you.erase ?? true) &&
          <button class="btn btn--danger" onClick={() => setErasing(true)}>{T.erase}</button>}
      </div>
      {!allowed && <p id="delete-reason" class="reason">{reason}</p>}
      {erasing && <EraseDialog contact={record} onClose={() => setErasing(false)} />}
    </section>
  )
}

function EraseDialog({ contact, onClose }: { contact: AnyRecord; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const ws = workspaceId.value!
  useEffect(() => dialog.current?.showModal(), [])
  async function erase() {
    setBusy(true)
    try {
      const report = await post<Schemas['ErasureReport']>(
        `/api/workspaces/${ws}/contacts/${contact.id}/erase`)
      toast(T.erased(report))
      dialog.current?.close()
      navigate(`/w/${ws}/contacts`)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
      setBusy(false)
    }
  }
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="erase-title" aria-describedby="erase-explain" onClose={onClose} onCancel={onClose}>
      <header class="dialog__header"><h2 id="erase-title">{T.eraseTitle}</h2>
        <button class="icon-btn" aria-label={t('common.close')} onClick={() => dialog.current?.close()}><Icon name="close" /></button></header>
      <div class="stack">
        <p id="erase-explain">{T.eraseExplain(contact.name)}</p>
        {error && <p class="form-error" role="alert">{error}</p>}
        <div class="row"><button class="btn btn--danger-solid" disabled={busy} onClick={erase}>{T.eraseConfirm}</button>
          <button type="button" class="btn btn--ghost" autoFocus onClick={() => dialog.current?.close()}>{t('common.cancel')}</button></div>
      </div>
    </dialog>
  )
}

function DetailRow({ label, children }: { label: string; children: preact.ComponentChildren }) {
  return <div class="fields__row"><span class="fields__label">{label}</span><div class="fields__value">{children}</div></div>
}

/** Pick a contact or organisation by searching (a combobox); `value` is its id. */
export function RecordPicker({ kind, label, value, onChange, disabled }: {
  kind: RecordKind; label: string; value: string; onChange: (id: string) => void; disabled?: boolean
}) {
  const [name, setName] = useState('')
  const [open, setOpen] = useState(false)
  const [q, setQ] = useState('')
  const [results, setResults] = useState<AnyRecord[]>([])
  const [active, setActive] = useState(0)
  const listId = `picker-${kind}-${label.replace(/\W/g, '')}`
  const search = useDebounced(q, 200)
  useEffect(() => {
    setName('')
    if (value) recordName(kind, value).then(setName, () => setName(''))
  }, [kind, value])
  useEffect(() => {
    if (!open) return
    listRecords(workspaceId.value!, kind, { q: search, limit: 8 }).then((p) => { setResults(p.items); setActive(0) }, () => setResults([]))
  }, [open, search])
  function choose(r: AnyRecord | null) {
    if (r) rememberName(kind, r.id, r.name)
    onChange(r?.id ?? '')
    setOpen(false)
    setQ('')
  }
  if (!open) {
    return (
      <div class="picker">
        {value ? <a href={`/w/${workspaceId.value}/${kind}/${value}`} class="picker__value">{name || '…'}</a> : <span class="muted">{t('common.none')}</span>}
        {!disabled && <button type="button" class="link" onClick={() => setOpen(true)} aria-label={value ? t('picker.changeLabel', { label }) : t('picker.chooseLabel', { label })}>{value ? t('picker.change') : t('picker.choose')}</button>}
      </div>
    )
  }
  return (
    <div class="picker picker--open">
      <input role="combobox" aria-expanded="true" aria-controls={listId} aria-autocomplete="list" aria-label={t('picker.searchLabel', { label })}
        aria-activedescendant={results[active] ? `${listId}-${results[active].id}` : undefined} autoFocus value={q}
        placeholder={t(`records.${kind}.pickerSearch`)} onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') { e.preventDefault(); setActive(Math.min(active + 1, results.length - 1)) }
          if (e.key === 'ArrowUp') { e.preventDefault(); setActive(Math.max(active - 1, 0)) }
          if (e.key === 'Enter') { e.preventDefault(); if (results[active]) choose(results[active]) }
          if (e.key === 'Escape') { e.stopPropagation(); setOpen(false) }
        }} />
      <ul id={listId} role="listbox" class="picker__list" aria-label={label}>
        {results.map((r, i) => (
          <li key={r.id} id={`${listId}-${r.id}`} role="option" aria-selected={i === active} class={i === active ? 'is-active' : ''}
            onMouseDown={(e) => { e.preventDefault(); choose(r) }}>{r.name}</li>
        ))}
        {value && <li role="option" aria-selected={false} class="picker__clear" onMouseDown={(e) => { e.preventDefault(); choose(null) }}>{t('picker.remove')}</li>}
        {results.length === 0 && <li class="muted" role="presentation">{t('common.noMatches')}</li>}
      </ul>
    </div>
  )
}

export function goToRecord(kind: RecordKind, id: string): void {
  navigate(`/w/${workspaceId.value}/${kind}/${id}`)
}
