/**
 * Custom fields on a record page: each defined field by its LABEL, in the workspace's order, with
 * the input its type needs (text, number, date, one or several choices, yes/no, web address,
 * e-mail, phone), committed on change. Values stored under a key no longer defined are not shown.
 * Definitions are loaded once per workspace and reloaded when the settings screen changes them.
 */
import { signal } from '@preact/signals'
import { useEffect, useState } from 'preact/hooks'
import { get, type Schemas } from '../lib/api'
import * as Y from 'yjs'
import { number, shortDate } from '../lib/format'
import { mt } from '../i18n'
import { LiveInput } from './inputs'

export type FieldDefinition = Schemas['CustomField']
export type Entity = FieldDefinition['entity']

export const fieldDefinitions = signal<FieldDefinition[] | null>(null)
let loadedFor: string | null = null

export async function loadFieldDefinitions(workspace: string, force = false): Promise<void> {
  if (!force && loadedFor === workspace) return
  loadedFor = workspace
  try {
    fieldDefinitions.value = await get<FieldDefinition[]>(`/api/workspaces/${workspace}/custom-fields`)
  } catch {
    fieldDefinitions.value = []
  }
}

export function useFieldDefinitions(workspace: string, entity: Entity): FieldDefinition[] {
  useEffect(() => { void loadFieldDefinitions(workspace) }, [workspace])
  return (fieldDefinitions.value ?? []).filter((f) => f.entity === entity).sort((a, b) => a.position - b.position)
}

/** One row per field; `Row` is the page's own label/value row so the fields sit with the rest. */
export function CustomFieldRows({ workspace, entity, values, editable, onChange, Row }: {
  workspace: string; entity: Entity; values: Record<string, unknown>; editable: boolean
  onChange: (key: string, value: unknown) => void
  Row: (props: { label: string; children: preact.ComponentChildren }) => preact.JSX.Element
}) {
  const fields = useFieldDefinitions(workspace, entity)
  return <>{fields.map((field) => (
    <Row key={field.id} label={field.label}>
      <FieldInput field={field} value={values[field.key]} editable={editable} onChange={(v) => onChange(field.key, v)} />
    </Row>
  ))}</>
}

/** A multi-select's options as checkboxes. What the user ticks shows at once (kept here until the
 * saved value comes back), not only after the save answers: a controlled checkbox would spring
 * back meanwhile. */
function Chips({ field, value, onChange }: {
  field: FieldDefinition; value: unknown; onChange: (value: unknown) => void
}) {
  const saved = Array.isArray(value) ? (value as string[]) : []
  const [chosen, setChosen] = useState<string[]>(saved)
  useEffect(() => setChosen(saved), [saved.join('\u0000')])
  return (
    <div class="chips" role="group" aria-label={field.label} data-field={field.key}>
      {field.options.map((o) => (
        <label key={o} class={`chip${chosen.includes(o) ? ' is-on' : ''}`}>
          <input type="checkbox" checked={chosen.includes(o)} onChange={(e) => {
            const on = (e.target as HTMLInputElement).checked
            const next = field.options.filter((x) => (x === o ? on : chosen.includes(x)))
            setChosen(next)
            onChange(next.length ? next : null)
          }} />{o}
        </label>
      ))}
    </div>
  )
}

export function FieldInput({ field, value, editable, onChange }: {
  field: FieldDefinition; value: unknown; editable: boolean; onChange: (value: unknown) => void
}) {
  const id = `field-${field.id}`
  const text = value === null || value === undefined ? '' : String(value)
  const common = { id, 'aria-label': field.label, 'data-field': field.key }
  if (!editable) return <span class="fields__static" data-field={field.key}>{shown(field, value) || mt('notSet')}</span>
  switch (field.type) {
    case 'number':
      return <LiveInput {...common} type="number" step="any" value={text}
        onCommit={(v) => onChange(v.trim() === '' ? null : Number(v))} />
    case 'date':
      return <input {...common} type="date" value={text} onChange={(e) => onChange((e.target as HTMLInputElement).value || null)} />
    case 'bool':
      return (
        <select {...common} value={value === true ? 'true' : value === false ? 'false' : ''}
          onChange={(e) => { const v = (e.target as HTMLSelectElement).value; onChange(v === '' ? null : v === 'true') }}>
          <option value="">{mt('notSet')}</option><option value="true">{mt('yes')}</option><option value="false">{mt('no')}</option>
        </select>
      )
    case 'select':
      return (
        <select {...common} value={text} onChange={(e) => onChange((e.target as HTMLSelectElement).value || null)}>
          <option value="">{mt('choose')}</option>
          {field.options.map((o) => <option key={o} value={o}>{o}</option>)}
          {text && !field.options.includes(text) && <option value={text}>{text}</option>}
        </select>
      )
    case 'multi_select':
      return <Chips field={field} value={value} onChange={onChange} />
    case 'url':
      return <LiveInput {...common} type="url" inputMode="url" placeholder="https://" value={text}
        onCommit={(v) => onChange(v.trim() === '' ? null : /^[a-z]+:\/\//i.test(v.trim()) ? v.trim() : `https://${v.trim()}`)} />
    case 'email':
      return <LiveInput {...common} type="email" inputMode="email" value={text} onCommit={(v) => onChange(v.trim() || null)} />
    case 'phone':
      return <LiveInput {...common} type="tel" value={text} onCommit={(v) => onChange(v.trim() || null)} />
    default:
      return <LiveInput {...common} value={text} onCommit={(v) => onChange(v === '' ? null : v)} />
  }
}

/** A value as text in the user's language, for read-only rows. */
export function shown(field: FieldDefinition, value: unknown): string {
  if (value === null || value === undefined || value === '') return ''
  if (field.type === 'bool') return value ? mt('yes') : mt('no')
  if (field.type === 'number' && typeof value === 'number') return number(value)
  if (field.type === 'date' && typeof value === 'string') return shortDate(value)
  if (Array.isArray(value)) return value.join(', ')
  return String(value)
}


/** Write one custom field of a deal into its board document (live for everyone); null removes it. */
export function setDealField(doc: Y.Doc, cardId: string, key: string, value: unknown): void {
  const card = doc.getMap<Y.Map<unknown>>('cards').get(cardId)
  if (!card) return
  doc.transact(() => {
    let fields = card.get('fields')
    if (!(fields instanceof Y.Map)) {
      fields = new Y.Map<unknown>()
      card.set('fields', fields)
    }
    const map = fields as Y.Map<unknown>
    if (value === null || value === undefined) map.delete(key)
    else map.set(key, value)
    card.set('updatedAt', new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'))
  })
}
