/**
 * E-mail sequences (issue 17 item 6): Settings › Sequences — the workspace's sequences (steps of
 * e-mail templates with a wait before each, a send window), and who is in the chosen one with
 * their state (active, n of m sent, next send; paused or stopped, and why). `EnrolDialog` adds one
 * contact (its page) or many (the contacts list's bulk bar) to a sequence; `ContactSequences` is
 * the contact page's section listing its enrolments. The server sends, stops and pauses
 * (server/services/sequences.py); this screen only shows and asks.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, get } from '../../lib/api'
import { role, workspaceId } from '../../lib/session'
import { dateTime } from '../../lib/format'
import { Empty, Icon, Spinner, announce, toast, toastError } from '../../components/ui'
import { scoped, t } from '../../i18n'
import './sequences.css'

const sq = scoped('sequences')

interface Step { template_id: string; delay_days: number; delay_hours: number }
interface SendWindow { start_hour: number; end_hour: number; weekdays: number[]; time_zone: string }
export interface Sequence { id: string; name: string; steps: Step[]; window: SendWindow; updated_at: string }
export interface Enrolment {
  id: string; sequence_id: string; contact_id: string; address: string; state: 'active' | 'paused' | 'stopped' | 'finished'
  step: number; next_at: string | null; reason: string | null; detail: string
}
interface Template { id: string; name: string; locale: string }
interface Draft { name: string; steps: Step[]; window: SendWindow }

const DAYS = [0, 1, 2, 3, 4, 5, 6]
const zone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
const blank = (templates: Template[]): Draft => ({
  name: '', steps: templates.length ? [{ template_id: templates[0].id, delay_days: 0, delay_hours: 0 }] : [],
  window: { start_hour: 8, end_hour: 18, weekdays: [0, 1, 2, 3, 4], time_zone: zone() },
})
const base = () => `/api/workspaces/${workspaceId.value}`

/** An enrolment's state in words: "Active · 1 of 3 sent · next 8 Dec, 09:00", "Stopped · they replied". */
export function EnrolmentState({ enrolment, steps }: { enrolment: Enrolment; steps?: number }) {
  const e = enrolment
  const parts: string[] = []
  if (steps !== undefined) parts.push(sq('progress', { sent: e.step, count: steps }))
  if (e.state === 'active' && e.next_at) parts.push(sq('next', { when: dateTime(e.next_at) }))
  if (e.reason) parts.push(sq(`reason_${e.reason}` as 'reason_replied', { fields: e.detail }))
  return (
    <span class="sequence-state" data-testid="enrolment-state" data-state={e.state}>
      <span class={`tag sequence-state__tag sequence-state__tag--${e.state}`}>{sq(`state_${e.state}`)}</span>
      {parts.length > 0 && <span class="muted"> {parts.join(' · ')}</span>}
    </span>
  )
}

export function SequencesSettings() {
  const ws = workspaceId.value!
  const canEdit = role.value !== 'viewer'
  const [sequences, setSequences] = useState<Sequence[] | null>(null)
  const [templates, setTemplates] = useState<Template[]>([])
  const [chosen, setChosen] = useState<string | null>(null) // an id, 'new', or none
  const [draft, setDraft] = useState<Draft | null>(null)
  async function load(select?: string) {
    try {
      const [all, tpl] = await Promise.all([get<Sequence[]>(`${base()}/sequences`), get<Template[]>(`${base()}/email-templates`)])
      setSequences(all)
      setTemplates(tpl)
      const next = all.find((x) => x.id === (select ?? chosen)) ?? all[0]
      if (next) { setChosen(next.id); setDraft(next) } else { setChosen(null); setDraft(null) }
    } catch (e) { toastError(e) }
  }
  useEffect(() => { void load() }, [ws])
  if (!sequences) return <Spinner />
  async function save(e: Event) {
    e.preventDefault()
    if (!draft) return
    try {
      const body = { name: draft.name, steps: draft.steps, window: draft.window }
      const saved = chosen && chosen !== 'new'
        ? await api<Sequence>('PUT', `${base()}/sequences/${chosen}`, body)
        : await api<Sequence>('POST', `${base()}/sequences`, body)
      toast(sq('saved', { name: saved.name }))
      await load(saved.id)
    } catch (err) { toastError(err) }
  }
  async function remove() {
    if (!draft || !chosen || chosen === 'new' || !confirm(sq('confirmDelete', { name: draft.name }))) return
    try {
      await api('DELETE', `${base()}/sequences/${chosen}`)
      announce(sq('deleted', { name: draft.name }))
      await load('')
    } catch (err) { toastError(err) }
  }
  return (
    <div class="sequences" data-testid="sequences">
      <p class="muted settings__help">{sq('help')}</p>
      {templates.length === 0 && <p class="notice" role="note">{sq('noTemplates')}</p>}
      <SendingCap canEdit={canEdit} />
      <div class="sequences__layout">
        <nav aria-label={sq('list')} class="sequences__list">
          {sequences.length === 0 && <Empty title={sq('none')}>{sq('noneBody')}</Empty>}
          <ul>
            {sequences.map((x) => (
              <li key={x.id}><button type="button" class="settings__link" aria-current={x.id === chosen ? 'true' : undefined}
                data-testid="sequence-row" onClick={() => { setChosen(x.id); setDraft(x) }}>
                {x.name} <span class="tag">{x.steps.length}</span></button></li>
            ))}
          </ul>
          {canEdit && templates.length > 0 && <button type="button" class="btn btn--small" data-testid="new-sequence"
            onClick={() => { setChosen('new'); setDraft(blank(templates)) }}><Icon name="plus" size={14} />{sq('new')}</button>}
        </nav>
        {chosen && draft && (
          <div class="sequences__editor">
            <Editor draft={draft} setDraft={setDraft} templates={templates} canEdit={canEdit} onSubmit={save}
              onDelete={chosen !== 'new' ? remove : undefined} />
            {chosen !== 'new' && <Enrolments sequence={chosen} steps={draft.steps.length} canEdit={canEdit} />}
          </div>
        )}
      </div>
    </div>
  )
}

interface Sending { mailbox: string | null; per_hour: number | null; default: number }

/** The caller's mailbox and its cap on sequence mails per hour (or: connect a mailbox first). */
function SendingCap({ canEdit }: { canEdit: boolean }) {
  const [sending, setSending] = useState<Sending | null>(null)
  const [value, setValue] = useState('')
  useEffect(() => {
    void get<Sending>(`${base()}/sequence-sending`).then((s) => { setSending(s); setValue(s.per_hour?.toString() ?? '') }, toastError)
  }, [workspaceId.value])
  if (!sending) return null
  if (!sending.mailbox) return <p class="notice" role="note" data-testid="sequences-no-mailbox">{sq('noMailbox')}</p>
  async function save(e: Event) {
    e.preventDefault()
    try {
      const saved = await api<Sending>('PUT', `${base()}/sequence-sending`, { per_hour: value.trim() ? parseInt(value, 10) : null })
      setSending(saved)
      toast(sq('capSaved', { count: saved.per_hour ?? saved.default }))
    } catch (err) { toastError(err) }
  }
  return (
    <form class="sequences__cap" onSubmit={(e) => void save(e)} data-testid="sequences-cap">
      <label class="field__label" for="sequences-cap">{sq('cap', { mailbox: sending.mailbox })}</label>
      <div class="row">
        <input id="sequences-cap" type="number" min={1} max={1000} value={value} placeholder={String(sending.default)}
          readOnly={!canEdit} onInput={(e) => setValue((e.target as HTMLInputElement).value)} data-testid="sequences-cap-input" />
        {canEdit && <button class="btn btn--small">{sq('capSave')}</button>}
      </div>
      <p class="muted small">{sq('capHelp', { count: sending.default })}</p>
    </form>
  )
}

function Editor({ draft, setDraft, templates, canEdit, onSubmit, onDelete }: {
  draft: Draft; setDraft: (d: Draft) => void; templates: Template[]; canEdit: boolean
  onSubmit: (e: Event) => void; onDelete?: () => void
}) {
  const setStep = (i: number, change: Partial<Step>) =>
    setDraft({ ...draft, steps: draft.steps.map((s, n) => (n === i ? { ...s, ...change } : s)) })
  const setWindow = (change: Partial<SendWindow>) => setDraft({ ...draft, window: { ...draft.window, ...change } })
  const num = (e: Event) => Math.max(0, parseInt((e.target as HTMLInputElement).value || '0', 10) || 0)
  const w = draft.window
  return (
    <form onSubmit={onSubmit} class="stack" data-testid="sequence-editor">
      <label class="field"><span class="field__label">{sq('name')}</span>
        <input required maxLength={200} value={draft.name} readOnly={!canEdit} data-testid="sequence-name"
          onInput={(e) => setDraft({ ...draft, name: (e.target as HTMLInputElement).value })} /></label>
      <fieldset class="sequences__steps">
        <legend class="field__label">{sq('steps')}</legend>
        <ol>
          {draft.steps.map((s, i) => (
            <li key={i} class="sequences__step" data-testid="sequence-step">
              <strong>{sq('step', { n: i + 1 })}</strong>
              <label class="field grow"><span class="field__label">{sq('template')}</span>
                <select value={s.template_id} disabled={!canEdit} data-testid="step-template"
                  onChange={(e) => setStep(i, { template_id: (e.target as HTMLSelectElement).value })}>
                  {templates.map((x) => <option key={x.id} value={x.id}>{x.name} ({x.locale.toUpperCase()})</option>)}
                </select></label>
              <fieldset class="sequences__delay">
                <legend class="field__label">{i === 0 ? sq('firstDelay') : sq('delay')}</legend>
                <label>
                  <input type="number" min={0} max={365} value={s.delay_days} readOnly={!canEdit} data-testid="step-days"
                    onInput={(e) => setStep(i, { delay_days: num(e) })} /> {sq('days')}</label>
                <label>
                  <input type="number" min={0} max={23} value={s.delay_hours} readOnly={!canEdit}
                    onInput={(e) => setStep(i, { delay_hours: num(e) })} /> {sq('hours')}</label>
              </fieldset>
              {canEdit && draft.steps.length > 1 && <button type="button" class="icon-btn" aria-label={sq('removeStep', { n: i + 1 })}
                onClick={() => setDraft({ ...draft, steps: draft.steps.filter((_, n) => n !== i) })}><Icon name="close" size={16} /></button>}
            </li>
          ))}
        </ol>
        {canEdit && draft.steps.length < 20 && <button type="button" class="btn btn--small" data-testid="add-step"
          onClick={() => setDraft({ ...draft, steps: [...draft.steps, { template_id: templates[0]?.id ?? '', delay_days: 2, delay_hours: 0 }] })}>
          <Icon name="plus" size={14} />{sq('addStep')}</button>}
      </fieldset>
      <fieldset class="sequences__window">
        <legend class="field__label">{sq('window')}</legend>
        <p class="muted small">{sq('windowHelp')}</p>
        <div class="row row--wrap">
          <label class="field"><span class="field__label">{sq('fromHour')}</span>
            <input type="number" min={0} max={23} value={w.start_hour} readOnly={!canEdit} onInput={(e) => setWindow({ start_hour: num(e) })} /></label>
          <label class="field"><span class="field__label">{sq('toHour')}</span>
            <input type="number" min={1} max={24} value={w.end_hour} readOnly={!canEdit} onInput={(e) => setWindow({ end_hour: num(e) })} /></label>
          <label class="field grow"><span class="field__label">{sq('timeZone')}</span>
            <input value={w.time_zone} readOnly={!canEdit} maxLength={64}
              onInput={(e) => setWindow({ time_zone: (e.target as HTMLInputElement).value })} /></label>
        </div>
        <div class="sequences__days" role="group" aria-label={sq('weekdays')}>
          {DAYS.map((d) => (
            <label key={d} class="checkbox"><input type="checkbox" checked={w.weekdays.includes(d)} disabled={!canEdit}
              onChange={(e) => setWindow({ weekdays: (e.target as HTMLInputElement).checked ? [...w.weekdays, d].sort() : w.weekdays.filter((x) => x !== d) })} />
              <span>{sq(`weekday_${d}` as 'weekday_0')}</span></label>
          ))}
        </div>
      </fieldset>
      {canEdit && <div class="row">
        <button class="btn btn--primary btn--small" data-testid="save-sequence">{sq('save')}</button>
        {onDelete && <button type="button" class="btn btn--small btn--danger" onClick={onDelete}>{sq('delete')}</button>}
      </div>}
    </form>
  )
}

function Enrolments({ sequence, steps, canEdit }: { sequence: string; steps: number; canEdit: boolean }) {
  const [rows, setRows] = useState<Enrolment[] | null>(null)
  const load = () => get<Enrolment[]>(`${base()}/enrolments?sequence=${sequence}`).then(setRows, toastError)
  useEffect(() => { setRows(null); void load() }, [sequence])
  return (
    <section class="sequences__enrolments" aria-labelledby="sequence-enrolments" data-testid="sequence-enrolments">
      <h3 id="sequence-enrolments">{sq('enrolments')}</h3>
      {!rows ? <Spinner /> : rows.length === 0 ? <p class="muted">{sq('noEnrolments')}</p> : (
        <ul class="sequences__people">
          {rows.map((e) => (
            <li key={e.id} data-testid="enrolment-row">
              <a href={`/w/${workspaceId.value}/contacts/${e.contact_id}`}>{e.address}</a>
              <EnrolmentState enrolment={e} steps={steps} />
              {canEdit && <EnrolmentActions enrolment={e} onChange={() => void load()} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

function EnrolmentActions({ enrolment, onChange }: { enrolment: Enrolment; onChange: () => void }) {
  async function act(action: 'stop' | 'resume') {
    try {
      await api('POST', `${base()}/enrolments/${enrolment.id}/${action}`)
      announce(action === 'stop' ? sq('stopped', { address: enrolment.address }) : sq('resumed'))
      onChange()
    } catch (err) { toastError(err) }
  }
  return (
    <span class="sequences__actions">
      {enrolment.state === 'paused' && <button type="button" class="btn btn--small" onClick={() => void act('resume')}>{sq('resume')}</button>}
      {(enrolment.state === 'active' || enrolment.state === 'paused') &&
        <button type="button" class="btn btn--small btn--ghost" data-testid="stop-enrolment" onClick={() => void act('stop')}>{sq('stop')}</button>}
    </span>
  )
}

/** Add one contact (its page) or several (the contacts list) to a sequence, optionally on a deal. */
export function EnrolDialog({ contacts, deal, title: heading, onClose, onDone }: {
  contacts: { id: string; name: string }[]; deal?: { board_id: string; card_id: string }; title?: string
  onClose: () => void; onDone?: () => void
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [sequences, setSequences] = useState<Sequence[] | null>(null)
  const [chosen, setChosen] = useState('')
  const [busy, setBusy] = useState(false)
  useEffect(() => { dialog.current?.showModal() }, [])
  useEffect(() => {
    void get<Sequence[]>(`${base()}/sequences`).then((all) => { setSequences(all); setChosen(all[0]?.id ?? '') }, toastError)
  }, [])
  async function submit(e: Event) {
    e.preventDefault()
    if (!chosen) return
    setBusy(true)
    try {
      const result = await api<{ enrolled: Enrolment[]; skipped: { contact_id: string; reason: string }[] }>(
        'POST', `${base()}/sequences/${chosen}/enrolments`, { contact_ids: contacts.map((c) => c.id), ...deal })
      const name = sequences?.find((s) => s.id === chosen)?.name ?? ''
      const said = sq('enrolled', { count: result.enrolled.length, name })
      announce(said)
      if (result.skipped.length) {
        const reasons = [...new Set(result.skipped.map((s) => sq(`skipped_${s.reason}` as 'skipped_no_email')))].join(', ')
        toast(`${said} ${sq('skipped', { count: result.skipped.length, reasons })}`, 'error')
      } else toast(said)
      onDone?.()
      dialog.current?.close()
    } catch (err) { toastError(err) } finally { setBusy(false) }
  }
  const title = heading ?? (contacts.length === 1 ? sq('enrolTitle', { name: contacts[0].name }) : sq('enrolTitleMany', { count: contacts.length }))
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="enrol-title" onClose={onClose} onCancel={onClose} data-testid="enrol-dialog">
      <header class="dialog__header">
        <h2 id="enrol-title">{title}</h2>
        <button class="icon-btn" aria-label={t('common.close')} onClick={() => dialog.current?.close()}><Icon name="close" /></button>
      </header>
      {!sequences ? <Spinner /> : sequences.length === 0 ? <p class="muted">{sq('enrolNoSequences')}</p> : (
        <form class="inline-form" onSubmit={(e) => void submit(e)}>
          <label class="field"><span class="field__label">{sq('sequence')}</span>
            <select value={chosen} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)} data-testid="enrol-sequence" autoFocus>
              {sequences.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select></label>
          <p class="muted small">{sq('enrolHelp')}</p>
          <div class="row">
            <button class="btn btn--primary" disabled={busy} data-testid="enrol-submit">{sq('enrol')}</button>
            <button type="button" class="btn btn--ghost" onClick={() => dialog.current?.close()}>{t('common.cancel')}</button>
          </div>
        </form>
      )}
    </dialog>
  )
}

/** The contact page's section: the sequences it is in, with their state; add it to one. */
export function ContactSequences({ contact, name, editable }: { contact: string; name: string; editable: boolean }) {
  const [rows, setRows] = useState<Enrolment[] | null>(null)
  const [sequences, setSequences] = useState<Sequence[]>([])
  const [open, setOpen] = useState(false)
  const load = () => Promise.all([get<Enrolment[]>(`${base()}/enrolments?contact=${contact}`), get<Sequence[]>(`${base()}/sequences`)])
    .then(([e, s]) => { setRows(e); setSequences(s) }, toastError)
  useEffect(() => { void load() }, [contact])
  const seq = (id: string) => sequences.find((s) => s.id === id)
  return (
    <section class="card-surface" aria-labelledby="contact-sequences" data-testid="contact-sequences">
      <div class="sequences__head">
        <h2 id="contact-sequences">{sq('section')}</h2>
        {editable && <button type="button" class="btn btn--small" data-testid="enrol-contact" onClick={() => setOpen(true)}>
          <Icon name="plus" size={14} />{sq('enrol')}</button>}
      </div>
      {!rows ? <Spinner /> : rows.length === 0 ? <p class="muted">{sq('sectionNone')}</p> : (
        <ul class="sequences__people">{rows.map((e) => (
          <li key={e.id} data-testid="contact-enrolment"><strong>{seq(e.sequence_id)?.name ?? '—'}</strong>
            <EnrolmentState enrolment={e} steps={seq(e.sequence_id)?.steps.length} />
            {editable && <EnrolmentActions enrolment={e} onChange={() => void load()} />}</li>
        ))}</ul>
      )}
      {open && <EnrolDialog contacts={[{ id: contact, name }]} onClose={() => setOpen(false)} onDone={() => void load()} />}
    </section>
  )
}
