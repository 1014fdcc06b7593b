/**
 * Settings → Custom fields: per record kind (contacts, organisations, deals) the workspace's
 * fields in the order every record page shows them. Admins add a field (label, type, options for
 * choices; the key is derived from the label and fixed once made), rename it, reorder it (buttons:
 * keyboard and touch alike), edit a choice field's options (add, rename, reorder, remove) and
 * delete it with its values. Members and viewers see the list read-only.
 */
import { useEffect, useState } from 'preact/hooks'
import { del, patch, post, api } from '../../lib/api'
import { workspaceId } from '../../lib/session'
import { fieldDefinitions, loadFieldDefinitions, type Entity, type FieldDefinition } from '../../components/CustomFields'
import { LiveInput } from '../../components/inputs'
import { Empty, Icon, Spinner, announce, toastError } from '../../components/ui'
import { mt, type MoneyWord } from '../../i18n'

const ENTITIES: Entity[] = ['contact', 'organisation', 'deal']
const TYPES = ['text', 'number', 'date', 'select', 'multi_select', 'bool', 'url', 'email', 'phone'] as const
const CHOICES = new Set<string>(['select', 'multi_select'])

/** A key from a label as people type it: "Kunde seit" -> "kunde_seit", "Größe" -> "groesse". */
export function keyFor(label: string): string {
  const plain = label.toLowerCase().replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '')
  const key = /^[a-z]/.test(plain) ? plain : `f_${plain}`
  return key.slice(0, 40).replace(/_+$/, '') || 'field'
}

async function attempt<T>(work: () => Promise<T>, said?: string): Promise<T | null> {
  try {
    const result = await work()
    await loadFieldDefinitions(workspaceId.value!, true)
    if (said) announce(said)
    return result
  } catch (e) {
    toastError(e)
    return null
  }
}

export function CustomFieldsSettings({ admin }: { admin: boolean }) {
  const ws = workspaceId.value!
  const [entity, setEntity] = useState<Entity>('contact')
  useEffect(() => { void loadFieldDefinitions(ws, true) }, [ws])
  const all = fieldDefinitions.value
  if (!all) return <Spinner />
  const fields = all.filter((f) => f.entity === entity).sort((a, b) => a.position - b.position)
  const names: Record<Entity, string> = { contact: mt('contact'), organisation: mt('organisation'), deal: mt('deal') }
  const reorder = (from: number, to: number) => {
    const ids = fields.map((f) => f.id)
    const [id] = ids.splice(from, 1)
    ids.splice(to, 0, id)
    void attempt(() => api('PUT', `/api/workspaces/${ws}/custom-fields/order`, { entity, fields: ids }),
      mt('moved', { name: fields[from].label, pos: to + 1, of: fields.length }))
  }
  return (
    <div class="custom-fields" data-testid="custom-fields-settings">
      <p class="muted settings__help">{mt('fieldsHelp')}</p>
      <div class="segmented" role="radiogroup" aria-label={mt('recordsOf')}>
        {ENTITIES.map((e) => (
          <label key={e} class={`segmented__option${e === entity ? ' is-on' : ''}`}>
            <input type="radio" name="field-entity" value={e} checked={e === entity} onChange={() => setEntity(e)} />
            {names[e]} <span class="muted">{all.filter((f) => f.entity === e).length}</span>
          </label>
        ))}
      </div>
      {fields.length === 0 ? <Empty title={mt('noFields', { what: names[entity] })}>{mt('noFieldsBody')}</Empty> : (
        <ol class="field-defs" aria-label={`${mt('customFields')}: ${names[entity]}`}>
          {fields.map((field, i) => (
            <FieldRow key={field.id} field={field} index={i} count={fields.length} admin={admin} onMove={(to) => reorder(i, to)} />
          ))}
        </ol>
      )}
      {admin && <NewField entity={entity} />}
    </div>
  )
}

function FieldRow({ field, index, count, admin, onMove }: {
  field: FieldDefinition; index: number; count: number; admin: boolean; onMove: (to: number) => void
}) {
  const [open, setOpen] = useState(false)
  const choices = CHOICES.has(field.type)
  const change = (body: { label?: string; options?: string[] }) =>
    attempt(() => patch(`/api/custom-fields/${field.id}`, body), mt('saved'))
  return (
    <li class="field-def" data-testid="field-def" data-key={field.key}>
      <div class="field-def__main">
        <LiveInput class="field-def__label" value={field.label} readOnly={!admin} aria-label={`${mt('label')}: ${field.label}`} maxLength={100}
          onCommit={(v) => v.trim() && change({ label: v.trim() })} />
        <span class="tag tag--quiet">{mt(`types.${field.type}` as MoneyWord)}</span>
        <code class="field-def__key" title={mt('keyHelp')}>{field.key}</code>
        {admin && <span class="pick-row__actions">
          {choices && <button type="button" class="btn btn--ghost btn--small" aria-expanded={open}
            onClick={() => setOpen(!open)}>{open ? mt('done') : `${mt('options')} (${field.options.length})`}</button>}
          <button type="button" class="icon-btn icon-btn--small" aria-label={mt('moveUp', { name: field.label })} title={mt('moveUp', { name: field.label })}
            disabled={index === 0} onClick={() => onMove(index - 1)}><span aria-hidden="true">↑</span></button>
          <button type="button" class="icon-btn icon-btn--small" aria-label={mt('moveDown', { name: field.label })} title={mt('moveDown', { name: field.label })}
            disabled={index === count - 1} onClick={() => onMove(index + 1)}><span aria-hidden="true">↓</span></button>
          <button type="button" class="icon-btn icon-btn--small" aria-label={mt('deleteField', { name: field.label })} title={mt('deleteField', { name: field.label })}
            onClick={() => confirm(mt('confirmDelete', { name: field.label })) &&
              attempt(() => del(`/api/custom-fields/${field.id}`), mt('deleted', { name: field.label }))}><Icon name="close" size={14} /></button>
        </span>}
      </div>
      {choices && !open && field.options.length > 0 && (
        <p class="field-def__options muted">{field.options.join(' · ')}</p>
      )}
      {choices && open && admin && <OptionsEditor field={field} onSave={(options) => change({ options })} />}
    </li>
  )
}

function OptionsEditor({ field, onSave }: { field: FieldDefinition; onSave: (options: string[]) => Promise<unknown> }) {
  const options = field.options
  const move = (from: number, to: number) => {
    const next = [...options]
    const [o] = next.splice(from, 1)
    next.splice(to, 0, o)
    void onSave(next)
  }
  return (
    <div class="field-def__editor">
      <ol class="pick-list" aria-label={`${mt('options')}: ${field.label}`}>
        {options.map((option, i) => (
          <li key={`${option}-${i}`} class="pick-row" data-testid="field-option">
            <LiveInput value={option} aria-label={mt('optionName', { n: i + 1 })} maxLength={200}
              onCommit={(v) => v.trim() && onSave(options.map((o, j) => (j === i ? v.trim() : o)))} />
            <span class="pick-row__actions">
              <button type="button" class="icon-btn icon-btn--small" aria-label={mt('moveUp', { name: option })} disabled={i === 0} onClick={() => move(i, i - 1)}><span aria-hidden="true">↑</span></button>
              <button type="button" class="icon-btn icon-btn--small" aria-label={mt('moveDown', { name: option })} disabled={i === options.length - 1} onClick={() => move(i, i + 1)}><span aria-hidden="true">↓</span></button>
              <button type="button" class="icon-btn icon-btn--small" aria-label={mt('remove', { name: option })} disabled={options.length === 1}
                onClick={() => onSave(options.filter((_, j) => j !== i))}><Icon name="close" size={14} /></button>
            </span>
          </li>
        ))}
      </ol>
      <form class="inline-add" onSubmit={async (e) => {
        e.preventDefault()
        const form = e.currentTarget as HTMLFormElement
        const name = String(new FormData(form).get('option') ?? '').trim()
        if (name && await onSave([...options, name])) form.reset()
      }}>
        <label class="sr-only" for={`new-option-${field.id}`}>{mt('newOption')}</label>
        <input id={`new-option-${field.id}`} name="option" placeholder={mt('newOption')} maxLength={200} required />
        <button class="btn btn--small"><Icon name="plus" size={16} />{mt('addOption')}</button>
      </form>
      <p class="field__hint">{mt('optionsHelp')}</p>
    </div>
  )
}

function NewField({ entity }: { entity: Entity }) {
  const ws = workspaceId.value!
  const [label, setLabel] = useState('')
  const [key, setKey] = useState<string | null>(null)
  const [type, setType] = useState<string>('text')
  const [options, setOptions] = useState('')
  const [error, setError] = useState('')
  async function submit(e: Event) {
    e.preventDefault()
    setError('')
    const body = {
      entity, label: label.trim(), key: key ?? keyFor(label), type,
      options: CHOICES.has(type) ? options.split('\n').map((o) => o.trim()).filter(Boolean) : [],
    }
    try {
      await post(`/api/workspaces/${ws}/custom-fields`, body)
      await loadFieldDefinitions(ws, true)
      announce(mt('saved'))
      setLabel(''); setKey(null); setOptions(''); setType('text')
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
    }
  }
  return (
    <form class="card-surface new-field" onSubmit={submit} aria-labelledby="new-field-title">
      <h3 id="new-field-title">{mt('newField')}</h3>
      <div class="new-field__grid">
        <label class="field"><span class="field__label">{mt('label')}</span>
          <input name="label" required maxLength={100} value={label} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} /></label>
        <label class="field"><span class="field__label">{mt('type')}</span>
          <select name="type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
            {TYPES.map((ty) => <option key={ty} value={ty}>{mt(`types.${ty}` as MoneyWord)}</option>)}
          </select></label>
        <label class="field"><span class="field__label">{mt('key')}</span>
          <input name="key" required pattern="[a-z][a-z0-9_]{0,39}" maxLength={40} value={key ?? (label.trim() ? keyFor(label) : '')}
            onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
          <span class="field__hint">{mt('keyHelp')}</span></label>
      </div>
      {CHOICES.has(type) && (
        <label class="field"><span class="field__label">{mt('options')}</span>
          <textarea name="options" rows={4} required value={options} placeholder={mt('optionsPlaceholder')}
            onInput={(e) => setOptions((e.target as HTMLTextAreaElement).value)} /></label>
      )}
      {error && <p class="form-error" role="alert">{error}</p>}
      <div class="row"><button class="btn btn--primary"><Icon name="plus" size={16} />{mt('create')}</button></div>
    </form>
  )
}
