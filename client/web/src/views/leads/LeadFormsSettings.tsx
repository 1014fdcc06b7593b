/**
 * Settings › Lead forms (docs/leads.md): a workspace's web forms. Admins make one (a name, the lead
 * fields it asks for, who is told of new leads, an optional https thank-you page), copy its
 * embeddable snippet, or delete it; members and viewers see the forms and snippets read-only.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, type Schemas } from '../../lib/api'
import { me, memberName, members, workspaceId } from '../../lib/session'
import { Empty, Spinner, announce, toast, toastError } from '../../components/ui'
import { lt } from './LeadsPage'
import './leads.css'

type LeadForm = Schemas['LeadForm']
type FormField = LeadForm['fields'][number]
const FIELDS: FormField[] = ['person_name', 'email', 'phone', 'organisation_name', 'title', 'value', 'note']

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
      {admin ? <NewForm onCreated={load} /> : <p class="notice">{lt('forms.adminsOnly')}</p>}
      {forms.length === 0
        ? <Empty title={lt('forms.none')}>{lt('forms.noneBody')}</Empty>
        : forms.map((form) => <FormCard key={form.id} form={form} admin={admin} onDelete={() => void remove(form)} />)}
    </div>
  )
}

function FormCard({ form, admin, onDelete }: { form: LeadForm; admin: boolean; onDelete: () => void }) {
  const id = `lead-form-${form.id}`
  async function copy() {
    try {
      await navigator.clipboard.writeText(form.snippet)
      toast(lt('forms.copied'))
    } catch {
      (document.getElementById(`${id}-snippet`) as HTMLTextAreaElement | null)?.select()
    }
  }
  return (
    <section class="lead-form card-surface" aria-labelledby={`${id}-name`} data-testid="lead-form">
      <h3 id={`${id}-name`}>{form.name}</h3>
      <p class="muted small">{form.fields.map((f) => lt(`fields.${f}` as never)).join(', ')}
        {' · '}{lt('forms.owner')}: {form.owner ? memberName(form.owner) : lt('forms.nobody')}
        {form.redirect_url && <> · {form.redirect_url}</>}</p>
      <p class="lead-form__endpoint muted">{lt('forms.endpoint')}: <code data-testid="lead-form-endpoint">{location.origin}/f/{form.public_id}</code></p>
      <label class="field"><span class="field__label">{lt('forms.snippet')}</span>
        <textarea id={`${id}-snippet`} class="lead-form__snippet" readOnly value={form.snippet} data-testid="lead-form-snippet" />
      </label>
      <div class="row row--wrap">
        <button type="button" class="btn btn--small" onClick={() => void copy()}>{lt('forms.copy')}</button>
        {admin && <button type="button" class="btn btn--small btn--danger" onClick={onDelete}>{lt('forms.deleteForm')}</button>}
      </div>
    </section>
  )
}

function NewForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const [name, setName] = useState('')
  const [fields, setFields] = useState<FormField[]>(['person_name', 'email', 'note'])
  const [owner, setOwner] = useState(me.value?.id ?? '')
  const [redirect, setRedirect] = useState('')
  async function create(e: Event) {
    e.preventDefault()
    try {
      await api('POST', `/api/workspaces/${workspaceId.value}/lead-forms`,
        { name, fields, owner: owner || null, redirect_url: redirect.trim() || null })
      setName('')
      setRedirect('')
      toast(lt('forms.createdNow'))
      await onCreated()
    } catch (err) {
      toastError(err)
    }
  }
  function toggle(field: FormField) {
    setFields(fields.includes(field) ? fields.filter((f) => f !== field) : [...fields, field])
  }
  return (
    <form class="stack card-surface lead-form" onSubmit={create} aria-labelledby="new-lead-form-title" data-testid="lead-form-new">
      <h3 id="new-lead-form-title">{lt('forms.new')}</h3>
      <label class="field"><span class="field__label">{lt('forms.name')}</span>
        <input name="name" required maxLength={100} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </label>
      <fieldset class="field">
        <legend class="field__label">{lt('forms.fields')}</legend>
        <div class="chips">
          {FIELDS.map((f) => (
            <label key={f} class={`chip${fields.includes(f) ? ' is-on' : ''}`}>
              <input type="checkbox" checked={fields.includes(f)} onChange={() => toggle(f)} />{lt(`fields.${f}` as never)}
            </label>
          ))}
        </div>
      </fieldset>
      <label class="field"><span class="field__label">{lt('forms.owner')}</span>
        <select value={owner} onChange={(e) => setOwner((e.target as HTMLSelectElement).value)}>
          <option value="">{lt('forms.nobody')}</option>
          {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
        </select>
      </label>
      <label class="field"><span class="field__label">{lt('forms.redirect')}</span>
        <input name="redirect_url" type="url" placeholder="https://" value={redirect} onInput={(e) => setRedirect((e.target as HTMLInputElement).value)} />
        <span class="field__hint">{lt('forms.redirectHint')}</span>
      </label>
      <div class="row"><button class="btn btn--primary">{lt('forms.create')}</button></div>
    </form>
  )
}

export const leadFormsLabel = (): string => lt('forms.title')
