/** The "Permissions" section of the members page: admins pick who deletes and who exports; others read it. */
import { useEffect, useState } from 'preact/hooks'
import { permissions, refreshPermissions, savePermissions, type DeleteLevel, type ExportLevel } from '../lib/permissions'
import { PERMISSION_TEXT as T } from '../lib/text'
import { announce, toastError } from '../components/ui'

const DELETE_LEVELS: DeleteLevel[] = ['admins', 'members_own', 'members']
const EXPORT_LEVELS: ExportLevel[] = ['admins', 'members']

export function PermissionsSection({ workspace }: { workspace: string }) {
  const [saving, setSaving] = useState(false)
  useEffect(() => { refreshPermissions(workspace).catch(toastError) }, [workspace])
  const current = permissions.value
  if (!current) return null
  const editable = current.you.change_permissions && !saving
  async function save(changes: { delete?: DeleteLevel; export?: ExportLevel }) {
    setSaving(true)
    try {
      await savePermissions(workspace, changes)
      announce(T.saved)
    } catch (e) {
      toastError(e)
    } finally {
      setSaving(false)
    }
  }
  return (
    <section class="card-surface permissions" aria-labelledby="permissions-title" data-testid="permissions">
      <h2 id="permissions-title">{T.title}</h2>
      <p class="muted">{T.intro}</p>
      <Choice name="delete" legend={T.deleteLegend} levels={DELETE_LEVELS} labels={T.deleteLevels} value={current.delete}
        disabled={!editable} onPick={(v) => save({ delete: v })} />
      <Choice name="export" legend={T.exportLegend} levels={EXPORT_LEVELS} labels={T.exportLevels} value={current.export}
        disabled={!editable} onPick={(v) => save({ export: v })} />
      {!current.you.change_permissions && <p class="field__hint">{T.readOnly}</p>}
    </section>
  )
}

function Choice<L extends string>({ name, legend, levels, labels, value, disabled, onPick }: {
  name: string; legend: string; levels: L[]; labels: Record<L, string>; value: L; disabled: boolean; onPick: (v: L) => void
}) {
  return (
    <fieldset class="choice" disabled={disabled}>
      <legend>{legend}</legend>
      {levels.map((level) => (
        <label key={level} class={`choice__option${level === value ? ' is-on' : ''}`}>
          <input type="radio" name={`permission-${name}`} value={level} checked={level === value}
            onChange={() => level !== value && onPick(level)} />
          <span>{labels[level]}</span>
        </label>
      ))}
    </fieldset>
  )
}
