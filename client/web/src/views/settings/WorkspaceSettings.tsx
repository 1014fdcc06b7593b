/**
 * Settings › Workspace: the workspace's name and time zone (`GET/PATCH /api/workspaces/:id/settings`).
 * Owners and admins change them; members and viewers read them. The zone is where the weekly
 * forecast snapshot's Monday begins (docs/forecast.md); "server default" leaves it to the server.
 * After a save the session's workspace list is read anew, so the switcher and titles show the name.
 */
import { useEffect, useMemo, useState } from 'preact/hooks'
import { get, patch, type Schemas } from '../../lib/api'
import { loadWorkspaces, workspaceId } from '../../lib/session'
import { Spinner, announce, toastError } from '../../components/ui'
import { scoped } from '../../i18n'
import { WorkspaceLeaving } from './WorkspaceLeaving'
import './workspace-settings.css'

const wst = scoped('workspaceSettings')
type Settings = Schemas['WorkspaceSettingsAnswer']

/** Every zone the browser knows, UTC first; the saved one is kept even if the browser lacks it. */
function allZones(current: string): string[] {
  const known = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? []
  return [...new Set(['UTC', ...known, current].filter(Boolean))]
}

/** The zones whose name has every word of `query` ("new york", "berl"); the chosen one first. */
export function zoneChoices(zones: string[], query: string, chosen: string): string[] {
  const words = query.toLowerCase().replace(/[_/]/g, ' ').split(/\s+/).filter(Boolean)
  const matching = zones.filter((z) => words.every((w) => z.toLowerCase().replace(/[_/]/g, ' ').includes(w)))
  return chosen ? [chosen, ...matching.filter((z) => z !== chosen)] : matching
}

const label = (zone: string) => zone.replace(/_/g, ' ')

/** The zone a new workspace starts in: the creator's browser's (undefined if it does not say). */
export function zoneForBrowser(): string | undefined {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined
}

export function WorkspaceSettings({ admin }: { admin: boolean }) {
  const ws = workspaceId.value!
  const [saved, setSaved] = useState<Settings | null>(null)
  const [name, setName] = useState('')
  const [zone, setZone] = useState('')  // '' = the server's default
  const [query, setQuery] = useState('')
  const [saving, setSaving] = useState(false)
  useEffect(() => {
    get<Settings>(`/api/workspaces/${ws}/settings`).then((s) => {
      setSaved(s); setName(s.name); setZone(s.time_zone ?? ''); setQuery('')
    }, toastError)
  }, [ws])
  const zones = useMemo(() => allZones(saved?.time_zone ?? ''), [saved])
  if (!saved) return <Spinner />
  const choices = zoneChoices(zones, query, zone)
  const matches = choices.length - (zone && !zoneChoices(zones, query, '').includes(zone) ? 1 : 0)
  const changed = name.trim() !== saved.name || zone !== (saved.time_zone ?? '')

  async function save(e: Event) {
    e.preventDefault()
    setSaving(true)
    try {
      const next = await patch<Settings>(`/api/workspaces/${ws}/settings`, { name: name.trim(), time_zone: zone || null })
      setSaved(next); setName(next.name); setZone(next.time_zone ?? '')
      await loadWorkspaces()  // the switcher and page titles show the new name
      announce(wst('saved'))
    } catch (error) {
      toastError(error)
    } finally {
      setSaving(false)
    }
  }

  return (
    <>
    <form class="ws-settings" data-testid="workspace-settings" onSubmit={save}>
      <label class="field"><span class="field__label">{wst('name')}</span>
        <input id="workspace-name" data-testid="workspace-name" value={name} maxLength={100} required disabled={!admin}
          onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <span class="field__hint">{wst('nameHint')}</span></label>
      <fieldset class="ws-settings__zone">
        <legend class="field__label">{wst('timeZone')}</legend>
        {admin && (
          <label class="field"><span class="sr-only">{wst('search')}</span>
            <input type="search" data-testid="workspace-zone-search" placeholder={wst('searchPlaceholder')} value={query}
              aria-label={wst('search')} aria-controls="workspace-zone" aria-describedby="workspace-zone-matches"
              onInput={(e) => setQuery((e.target as HTMLInputElement).value)} /></label>
        )}
        <select id="workspace-zone" data-testid="workspace-zone" value={zone} disabled={!admin} aria-label={wst('timeZone')}
          aria-describedby="workspace-zone-hint" onChange={(e) => setZone((e.target as HTMLSelectElement).value)}>
          {!zone && <option value="">{wst('serverDefault', { zone: label(saved.default_time_zone) })}</option>}
          {choices.map((z) => <option key={z} value={z}>{label(z)}</option>)}
          {zone && <option value="">{wst('serverDefault', { zone: label(saved.default_time_zone) })}</option>}
        </select>
        <span id="workspace-zone-matches" class="field__hint" aria-live="polite">
          {query.trim() ? (matches ? wst('matches', { count: matches }) : wst('noMatch', { query: query.trim() })) : ''}
        </span>
        <span id="workspace-zone-hint" class="field__hint">{wst('timeZoneHint')}</span>
      </fieldset>
      {admin && (
        <div class="ws-settings__actions">
          <button type="submit" class="btn btn--primary" data-testid="workspace-save" disabled={!changed || saving || !name.trim()}>
            {wst('save')}
          </button>
        </div>
      )}
    </form>
    {admin && <WorkspaceLeaving />}
    </>
  )
}
