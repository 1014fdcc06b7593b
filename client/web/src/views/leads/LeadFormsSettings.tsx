/**
 * Settings › Lead forms (docs/leads.md): the workspace's leads address (mail to it becomes a lead)
 * and its web forms. Admins make one (a name, the lead fields it asks for, who is told of new leads,
 * the snippet's language, an optional https thank-you page), change or delete it; everyone copies
 * its embeddable snippet; members and viewers see the forms read-only.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, type Schemas } from '../../lib/api'
import { me, memberName, members, workspaceId } from '../../lib/session'
import { locale, t } from '../../i18n'
import { Empty, Spinner, announce, toast, toastError } from '../../components/ui'
import { lt } from './LeadsPage'
import { LeadsAddress } from './LeadsAddress'
import './leads.css'

type LeadForm = Schemas['LeadForm']
type FormField = LeadForm['fields'][number]
const FIELDS: FormField[] = ['person_name', 'email', 'phone', 'organisation_name', 'title', 'value', 'note']
type Language = LeadForm['language']
const LANGUAGES: Language[] = ['en', 'de']

export function LeadFormsSettings({ admin }: { admin: boolean }) {
  const ws = workspaceId.value!
  const [forms, setForms] = useState<LeadForm[] | null>(null)
  async function load() {
    try {
      setForms(await api<LeadForm[]>('GET', `/api/workspaces/${ws}/lead-forms`))
    } catch (e) {
      toastError(e)
    }
  }
  useEffect(() => { void load() }, [ws])
  if (!forms) return <Spinner />
  async function remove(form: LeadForm) {
    if (!confirm(lt('forms.confirmDelete', { name: form.name }))) return
    try {
      await api('DELETE', `/api/lead-forms/${form.id}`)
      announce(lt('forms.deleted'))
      await load()
    } catch (e) {
      toastError(e)
    }
  }
  return (
    <div class="lead-forms" data-testid="lead-forms-settings">
      <p class="muted settings__help">{lt('forms.help')}</p>
      <LeadsAddress admin={admin} />
      {admin ? <FormEditor onSaved={load} /> : <p class="notice">{lt('forms.adminsOnly')}</p>}
      {forms.length === 0
        ? <Empty title={lt('forms.none')}>{lt('forms.noneBody')}</Empty>
        : forms.map((form) => <FormCard key={form.id} form={form} admin={admin} onDelete={() => void remove(form)} onSaved={load} />)}
    </div>
  )
}

function FormCard({ form, admin, onDelete, onSaved }: { form: LeadForm; admin: boolean; onDelete: () => void; onSaved: () => Promise<void> }) {
  const id = `lead-form-${form.id}`
  const [editing, setEditing] = useState(false)
  async function copy() {
    try {
      await navigator.clipboard.writeText(form.snippet)
      toast(lt('forms.copied'))
    } catch {
      (document.getElementById(`${id}-snippet`) as HTMLTextAreaElement | null)?.select()
    }
  }
  if (editing) {
    return <FormEditor form={form} onSaved={async () => { setEditing(false); await onSaved() }} onCancel={() => setEditing(false)} />
  }
  return (
    <section class="lead-form card-surface" aria-labelledby={`${id}-name`} data-testid="lead-form">
      <h3 id={`${id}-name`}>{form.name}</h3>
      <p class="muted small">{form.fields.map((f) => lt(`fields.${f}` as never)).join(', ')}
        {' · '}{lt('forms.owner')}: {form.owner ? memberName(form.owner) : lt('forms.nobody')}
        {' · '}{lt(`forms.languages.${form.language}`)}
        {form.redirect_url && <> · {form.redirect_url}</>}</p>
      <p class="lead-form__endpoint muted">{lt('forms.endpoint')}: <code data-testid="lead-form-endpoint">{location.origin}/f/{form.public_id}</code></p>
      <label class="field"><span class="field__label">{lt('forms.snippet')}</span>
        <textarea id={`${id}-snippet`} class="lead-form__snippet" readOnly value={form.snippet} data-testid="lead-form-snippet" />
      </label>
      <div class="row row--wrap">
        <button type="button" class="btn btn--small" onClick={() => void copy()}>{lt('forms.copy')}</button>
        {admin && <button type="button" class="btn btn--small" onClick={() => setEditing(true)} data-testid="lead-form-edit">{lt('forms.edit')}</button>}
        {admin && <button type="button" class="btn btn--small btn--danger" onClick={onDelete}>{lt('forms.deleteForm')}</button>}
      </div>
    </section>
  )
}

/** Makes a form (without ``form``) or changes one: the same fields either way. */
function FormEditor({ form, onSaved, onCancel }: { form?: LeadForm; onSaved: () => Promise<void>; onCancel?: () => void }) {
  const [name, setName] = useState(form?.name ?? '')
  const [fields, setFields] = useState<FormField[]>(form?.fields ?? ['person_name', 'email', 'note'])
  const [owner, setOwner] = useState(form ? form.owner ?? '' : me.value?.id ?? '')
  const [redirect, setRedirect] = useState(form?.redirect_url ?? '')
  const [language, setLanguage] = useState<Language>(form?.language ?? (locale.value === 'de' ? 'de' : 'en'))
  const titleId = form ? `edit-lead-form-${form.id}-title` : 'new-lead-form-title'
  const nameInput = useRef<HTMLInputElement>(null)
  useEffect(() => { if (form) nameInput.current?.focus() }, [])  // editing: straight into it (Escape leaves)
  async function save(e: Event) {
    e.preventDefault()
    const body = { name, fields, owner: owner || null, redirect_url: redirect.trim() || null, language }
    try {
      if (form) await api('PATCH', `/api/lead-forms/${form.id}`, body)
      else await api('POST', `/api/workspaces/${workspaceId.value}/lead-forms`, body)
      if (!form) {
        setName('')
        setRedirect('')
      }
      toast(form ? lt('forms.savedNow') : lt('forms.createdNow'))
      await onSaved()
    } catch (err) {
      toastError(err)
    }
  }
  function toggle(field: FormField) {
    setFields(fields.includes(field) ? fields.filter((f) => f !== field) : [...fields, field])
  }
  return (
    <form class="stack card-surface lead-form" onSubmit={save} aria-labelledby={titleId} data-testid={form ? 'lead-form-editor' : 'lead-form-new'}
      onKeyDown={(e) => e.key === 'Escape' && onCancel?.()}>
      <h3 id={titleId}>{form ? lt('forms.editTitle', { name: form.name }) : lt('forms.new')}</h3>
      <label class="field"><span class="field__label">{lt('forms.name')}</span>
        <input ref={nameInput} name="name" required maxLength={100} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </label>
      <fieldset class="field">
        <legend class="field__label">{lt('forms.fields')}</legend>
        <div class="chips">
          {FIELDS.map((f) => (
            <label key={f} class={`chip${fields.includes(f) ? ' is-on' : ''}`}>
              <input type="checkbox" name={`field-${f}`} checked={fields.includes(f)} onChange={() => toggle(f)} />{lt(`fields.${f}` as never)}
            </label>
          ))}
        </div>
      </fieldset>
      <label class="field"><span class="field__label">{lt('forms.owner')}</span>
        <select name="owner" value={owner} onChange={(e) => setOwner((e.target as HTMLSelectElement).value)}>
          <option value="">{lt('forms.nobody')}</option>
          {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
        </select>
      </label>
      <label class="field"><span class="field__label">{lt('forms.language')}</span>
        <select name="language" value={language} onChange={(e) => setLanguage((e.target as HTMLSelectElement).value as Language)}>
          {LANGUAGES.map((l) => <option key={l} value={l}>{lt(`forms.languages.${l}`)}</option>)}
        </select>
        <span class="field__hint">{lt('forms.languageHint')}</span>
      </label>
      <label class="field"><span class="field__label">{lt('forms.redirect')}</span>
        <input name="redirect_url" type="url" placeholder="https://" value={redirect} onInput={(e) => setRedirect((e.target as HTMLInputElement).value)} />
        <span class="field__hint">{lt('forms.redirectHint')}</span>
      </label>
      <div class="row">
        <button class="btn btn--primary">{form ? lt('forms.saveForm') : lt('forms.create')}</button>
        {onCancel && <button type="button" class="btn btn--ghost" onClick={onCancel}>{t('common.cancel')}</button>}
      </div>
    </form>
  )
}

export const leadFormsLabel = (): string => lt('forms.title')
