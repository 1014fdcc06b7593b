/**
 * One lead: its values (editable by members), its labels (saved as picked, from the workspace's
 * label list as a deal's are), qualify / archive / restore, and "Convert to deal" —
 * pick a pipeline board and a stage; the server finds or makes the contact and organisation and adds
 * the deal through the board's own code path. Also the dialog that adds a lead by hand.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, type Schemas } from '../../lib/api'
import { boards, canEdit, isAdmin, me, memberName, members, workspaceId } from '../../lib/session'
import { loadPickLists } from '../../lib/lists'
import { LabelPicker } from '../../components/LabelPicker'
import { dateTime } from '../../lib/format'
import { Icon, announce, toast, toastError } from '../../components/ui'
import { t } from '../../i18n'
import { lt, type Lead } from './LeadsPage'

const TEXT_FIELDS = ['title', 'person_name', 'email', 'phone', 'organisation_name'] as const
type Values = Record<string, string>

function valuesOf(lead: Lead | null): Values {
  return {
    title: lead?.title ?? '', person_name: lead?.person_name ?? '', email: lead?.email ?? '', phone: lead?.phone ?? '',
    organisation_name: lead?.organisation_name ?? '', value: lead?.value == null ? '' : String(lead.value),
    currency: lead?.currency ?? '', note: lead?.note ?? '', owner: lead?.owner ?? '',
  }
}

function body(values: Values): Record<string, unknown> {
  return {
    ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, values[f].trim()])), note: values.note,
    value: values.value === '' ? null : Number(values.value), currency: values.currency.trim().toUpperCase() || null,
    owner: values.owner || null,
  }
}

function LeadFields({ values, set, disabled, idPrefix }: { values: Values; set: (v: Values) => void; disabled: boolean; idPrefix: string }) {
  const input = (field: string, type: 'text' | 'email' | 'tel' | 'number' = 'text') => (
    <label class="field" key={field}>
      <span class="field__label">{lt(`fields.${field}` as never)}</span>
      <input id={`${idPrefix}-${field}`} name={field} type={type as 'text'} value={values[field]} disabled={disabled}
        onInput={(e) => set({ ...values, [field]: (e.target as HTMLInputElement).value })} />
    </label>
  )
  return (
    <div class="lead-fields">
      {input('title')}{input('person_name')}{input('email', 'email')}{input('phone', 'tel')}{input('organisation_name')}
      <div class="row lead-fields__money">{input('value', 'number')}{input('currency')}</div>
      <label class="field">
        <span class="field__label">{lt('owner')}</span>
        <select name="owner" value={values.owner} disabled={disabled} onChange={(e) => set({ ...values, owner: (e.target as HTMLSelectElement).value })}>
          <option value="">{t('common.nobody')}</option>
          {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
        </select>
      </label>
      <label class="field">
        <span class="field__label">{lt('fields.note')}</span>
        <textarea name="note" rows={3} value={values.note} disabled={disabled} onInput={(e) => set({ ...values, note: (e.target as HTMLTextAreaElement).value })} />
      </label>
    </div>
  )
}

export function LeadDetail({ lead, onClose, onChanged }: { lead: Lead; onClose: () => void; onChanged: () => Promise<void> }) {
  const [values, setValues] = useState(valuesOf(lead))
  const [converting, setConverting] = useState(false)
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => heading.current?.focus(), [])
  const editable = canEdit.value && lead.status !== 'converted'

  async function change(payload: unknown, said: string) {
    try {
      await api('PATCH', `/api/leads/${lead.id}`, payload)
      announce(said)
      toast(said)
      await onChanged()
    } catch (e) {
      toastError(e)
    }
  }
  async function archive(archived: boolean) {
    try {
      await api('POST', `/api/workspaces/${workspaceId.value}/leads/archive`, { leads: [lead.id], archived })
      toast(archived ? lt('archived') : lt('restored'))
      await onChanged()
    } catch (e) {
      toastError(e)
    }
  }
  return (
    <aside class="lead-detail card-surface" aria-labelledby="lead-detail-title" data-testid="lead-detail"
      onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <header class="dialog__header">
        <h2 id="lead-detail-title" tabIndex={-1} ref={heading}>{lead.title}</h2>
        <button class="icon-btn" aria-label={lt('closeDetail')} onClick={onClose}><Icon name="close" /></button>
      </header>
      <p class="row row--wrap lead-detail__meta">
        <span class={`tag tag--lead-${lead.status}`}>{lt(`status.${lead.status}`)}</span>
        <span class="tag tag--quiet">{lt(`sources.${lead.source}`)}</span>
        <span class="muted small">{dateTime(lead.created_at)}</span>
        {lead.owner && <span class="muted small">{lt('owner')}: {memberName(lead.owner)}</span>}
      </p>
      {lead.status === 'converted' && <Converted lead={lead} />}
      <LeadLabels lead={lead} editable={editable} onChanged={onChanged} />
      <form class="stack" onSubmit={(e) => { e.preventDefault(); void change(body(values), lt('saved')) }}>
        <LeadFields values={values} set={setValues} disabled={!editable} idPrefix="lead" />
        {editable && <div class="row row--wrap">
          <button class="btn btn--primary">{lt('save')}</button>
          {lead.status === 'new' && <button type="button" class="btn btn--ghost" onClick={() => void change({ status: 'qualified' }, lt('qualified'))} data-testid="lead-qualify">{lt('qualify')}</button>}
          {lead.status === 'qualified' && <button type="button" class="btn btn--ghost" onClick={() => void change({ status: 'new' }, lt('saved'))}>{lt('unqualify')}</button>}
          {lead.status === 'archived'
            ? <button type="button" class="btn btn--ghost" onClick={() => void archive(false)}>{lt('restore')}</button>
            : <button type="button" class="btn btn--ghost" onClick={() => void archive(true)}>{lt('archive')}</button>}
        </div>}
      </form>
      {editable && lead.status !== 'archived' && (converting
        ? <ConvertForm lead={lead} onDone={async () => { setConverting(false); await onChanged() }} onCancel={() => setConverting(false)} />
        : <button class="btn btn--primary lead-detail__convert" onClick={() => setConverting(true)} data-testid="lead-convert">{lt('convert')}</button>)}
    </aside>
  )
}

function LeadLabels({ lead, editable, onChanged }: { lead: Lead; editable: boolean; onChanged: () => Promise<void> }) {
  const ws = workspaceId.value!
  useEffect(() => { void loadPickLists(ws).catch(() => undefined) }, [ws])
  async function save(labels: string[]) {
    try {
      await api('PATCH', `/api/leads/${lead.id}`, { labels })
      announce(lt('labelsSaved'))
      await onChanged()
    } catch (e) {
      toastError(e)
    }
  }
  if (!editable && lead.labels.length === 0) return null
  return (
    <section class="lead-detail__labels" aria-labelledby="lead-labels-title" data-testid="lead-labels">
      <h3 id="lead-labels-title" class="field__label">{lt('fields.labels')}</h3>
      <LabelPicker value={lead.labels} onChange={(labels) => void save(labels)} disabled={!editable}
        admin={isAdmin.value} workspace={ws} id="lead-label-picker" />
    </section>
  )
}

function Converted({ lead }: { lead: Lead }) {
  const ws = workspaceId.value
  return (
    <div class="notice lead-detail__converted" data-testid="lead-converted">
      <p>{lt('convertedNote', { when: dateTime(lead.converted_at) })}</p>
      <div class="row row--wrap">
        {lead.board && lead.deal && <a class="btn btn--small" href={`/w/${ws}/boards/${lead.board}/deals/${lead.deal}`}>{lt('openDeal')}</a>}
        {lead.contact && <a class="btn btn--small btn--ghost" href={`/w/${ws}/contacts/${lead.contact}`}>{lt('openContact')}</a>}
      </div>
    </div>
  )
}

function ConvertForm({ lead, onDone, onCancel }: { lead: Lead; onDone: () => Promise<void>; onCancel: () => void }) {
  const pipelines = boards.value.filter((b) => b.kind === 'pipeline' && b.access !== 'read')
  const [board, setBoard] = useState(pipelines[0]?.id ?? '')
  const [stages, setStages] = useState<Schemas['ReportStage'][]>([])
  const [stage, setStage] = useState('')
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    if (!board) return
    api<Schemas['PipelineReport']>('GET', `/api/workspaces/${workspaceId.value}/pipeline-report?board=${board}`).then((report) => {
      const open = report.stages.filter((s) => s.kind === 'open')
      setStages(open)
      setStage(open[0]?.stage ?? '')
    }, toastError)
  }, [board])
  if (!pipelines.length) return <p class="notice">{lt('noPipelines')}</p>
  async function convert(e: Event) {
    e.preventDefault()
    setBusy(true)
    try {
      await api('POST', `/api/leads/${lead.id}/convert`, { board, stage: stage || null })
      const name = pipelines.find((b) => b.id === board)?.name ?? ''
      announce(lt('convertedNow', { board: name }))
      toast(lt('convertedNow', { board: name }))
      await onDone()
    } catch (err) {
      toastError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="stack lead-convert" onSubmit={convert} aria-labelledby="lead-convert-title" data-testid="lead-convert-form">
      <h3 id="lead-convert-title">{lt('convertTitle')}</h3>
      <p class="muted small">{lt('convertHelp')}</p>
      <label class="field"><span class="field__label">{lt('board')}</span>
        <select value={board} onChange={(e) => setBoard((e.target as HTMLSelectElement).value)} data-testid="lead-convert-board">
          {pipelines.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
        </select>
      </label>
      <label class="field"><span class="field__label">{lt('stage')}</span>
        <select value={stage} onChange={(e) => setStage((e.target as HTMLSelectElement).value)} data-testid="lead-convert-stage">
          {stages.map((s) => <option key={s.stage} value={s.stage}>{s.name}</option>)}
        </select>
      </label>
      <div class="row">
        <button class="btn btn--primary" disabled={busy} data-testid="lead-convert-go">{busy ? lt('converting') : lt('convert')}</button>
        <button type="button" class="btn btn--ghost" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </form>
  )
}

export function NewLeadDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (lead: Lead) => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [values, setValues] = useState<Values>({ ...valuesOf(null), owner: me.value?.id ?? '' })
  useEffect(() => dialog.current?.showModal(), [])
  async function create(e: Event) {
    e.preventDefault()
    try {
      const raw = body(values)
      const payload = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== '' && v !== null))
      const made = await api<Lead>('POST', `/api/workspaces/${workspaceId.value}/leads`, payload)
      toast(lt('created'))
      onCreated(made)
    } catch (err) {
      toastError(err)
    }
  }
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="new-lead-title" onClose={onClose} onCancel={onClose} data-testid="lead-new">
      <header class="dialog__header"><h2 id="new-lead-title">{lt('add')}</h2>
        <button class="icon-btn" aria-label={t('common.close')} onClick={() => dialog.current?.close()}><Icon name="close" /></button></header>
      <form class="stack" onSubmit={create}>
        <LeadFields values={values} set={setValues} disabled={false} idPrefix="new-lead" />
        <div class="row"><button class="btn btn--primary">{t('common.create')}</button>
          <button type="button" class="btn btn--ghost" onClick={() => dialog.current?.close()}>{t('common.cancel')}</button></div>
      </form>
    </dialog>
  )
}
