/**
 * The automation builder's "best match by expertise" (docs/expertise.md): create_task's assignee
 * `{"by_expertise": [tag ids]}` — at run time the member with those tags and the most free hours
 * this week (ties take turns), nobody with them: the deal owner. An option of the assignee select
 * and a fieldset of the workspace's expertise tags.
 */
import { useEffect } from 'preact/hooks'
import { expertise, loadExpertise } from '../../lib/expertise'
import { workspaceId } from '../../lib/session'
import { scoped } from '../../i18n'
import './expertise.css'

export const BY_EXPERTISE = 'by_expertise'
const et = scoped('expertise')

export function isByExpertise(chosen: unknown): chosen is Record<string, string[]> {
  return typeof chosen === 'object' && chosen !== null && BY_EXPERTISE in chosen
}

function tags() {
  const ws = workspaceId.value
  return expertise.value?.workspace === ws ? expertise.value?.overview.tags ?? [] : []
}

/** The assignee when "by expertise" is chosen: the first tag, to start from. */
export function byExpertiseOption(): Record<string, string[]> {
  return { [BY_EXPERTISE]: tags().slice(0, 1).map((tag) => tag.id) }
}

export function ByExpertise({ chosen, onChange }: { chosen: Record<string, string[]>; onChange: (v: unknown) => void }) {
  const ids = chosen[BY_EXPERTISE] ?? []
  return (
    <fieldset class="automations__people" data-testid="automation-by-expertise">
      <legend>{et('byExpertiseTags')}</legend>
      <p class="muted small expertise-hint">{et('byExpertiseHint')}</p>
      {tags().map((tag) => (
        <label key={tag.id} class="webhooks__event">
          <input type="checkbox" checked={ids.includes(tag.id)} onChange={(e) => {
            const on = (e.target as HTMLInputElement).checked
            onChange({ [BY_EXPERTISE]: on ? [...ids, tag.id] : ids.filter((id) => id !== tag.id) })
          }} />{tag.name}</label>
      ))}
      {ids.length === 0 && <p class="form-error" role="alert">{et('byExpertisePick')}</p>}
    </fieldset>
  )
}

/** The select's option, once the workspace has expertise tags. */
ByExpertise.Option = function ByExpertiseOption() {
  const ws = workspaceId.value
  useEffect(() => { if (ws) loadExpertise(ws).catch(() => undefined) }, [ws])
  return tags().length > 0 ? <option value={BY_EXPERTISE}>{et('byExpertise')}</option> : null
}
