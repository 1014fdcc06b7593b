/**
 * The time zone of a schedule trigger and its next three runs (docs/automations.md › Schedules and
 * time zones). The cron is read in the zone on the server; the preview asks it
 * (`GET …/automations/schedule-preview`) and shows each run in that zone, in the reader's date format.
 * A new rule starts in its author's zone (Settings › Notifications), else the browser's.
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../../lib/api'
import { aut, intlLocale } from '../../i18n'

type Preview = { cron: string; time_zone: string; next_runs: string[] }

/** The browser's IANA zone (UTC when it does not say). */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

let authorZone: Promise<string> | null = null
/** The zone a new schedule starts in: the user's notification zone when they chose one, else the browser's. */
export function defaultZone(): Promise<string> {
  authorZone ??= api<{ time_zone: string }>('GET', '/api/me/notification-settings')
    .then((s) => (s.time_zone && s.time_zone !== 'UTC' ? s.time_zone : browserZone()), () => browserZone())
  return authorZone
}

function zoneNames(current: string): string[] {
  const known = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? []
  return [...new Set([current, 'UTC', ...known].filter(Boolean))].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)))
}

/** A run in the rule's zone: "Mon, 30 Mar 2026, 09:00". */
export function runTime(iso: string, zone: string): string {
  return new Intl.DateTimeFormat(intlLocale(), {
    weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: zone,
  }).format(new Date(iso))
}

/** The server's preview of the schedule (null: none yet, or not a schedule); it names the zone it was read in. */
function useNextRuns(base: string, cron: string, zone: string): Preview | null {
  const [runs, setRuns] = useState<Preview | null>(null)
  useEffect(() => {
    let current = true
    if (!zone || cron.trim().split(/\s+/).length !== 5) { setRuns(null); return }
    const query = new URLSearchParams({ cron: cron.trim(), time_zone: zone })
    const timer = setTimeout(() => {
      api<Preview>('GET', `${base}/schedule-preview?${query}`)
        .then((p) => { if (current) setRuns(p) }, () => { if (current) setRuns(null) })
    }, 250)  // typed cron: ask once the typing pauses
    return () => { current = false; clearTimeout(timer) }
  }, [base, cron, zone])
  return runs
}

export function ScheduleZone({ base, cron, zone, onZone }: {
  base: string; cron: string; zone: string; onZone: (zone: string) => void
}) {
  const preview = useNextRuns(base, cron, zone)
  return (
    <>
      <label class="field"><span class="field__label">{aut('timeZone')}</span>
        <select value={zone} data-testid="automation-time-zone" onChange={(e) => onZone((e.target as HTMLSelectElement).value)}>
          {zoneNames(zone).map((name) => <option key={name} value={name}>{name.replace(/_/g, ' ')}</option>)}
        </select>
        <span class="field__hint">{aut('timeZoneHint')}</span></label>
      <div class="automations__next" data-testid="automation-next-runs" aria-live="polite">
        <span class="field__label">{aut('nextRuns', { zone: (preview?.time_zone ?? zone).replace(/_/g, ' ') })}</span>
        {preview === null ? <p class="muted">{aut('nextRunsNone')}</p> : <ol>{preview.next_runs.map((run) => (
          <li key={run}><time dateTime={run}>{runTime(run, preview.time_zone)}</time></li>))}</ol>}
      </div>
    </>
  )
}
