/**
 * Settings › Workspace, below the name and zone: "Export all data" (owners and admins; a ZIP built by
 * a job, its status followed here until it is ready with a signed link that expires in 7 days) and
 * "Delete this workspace" (owners; the name typed back). docs/workspace-lifecycle.md.
 */
import { useEffect, useState } from 'preact/hooks'
import { del, get, post, query, type Schemas } from '../../lib/api'
import { loadWorkspaces, role, workspace, workspaceId } from '../../lib/session'
import { navigate } from '../../lib/router'
import { dateTime } from '../../lib/format'
import { fileSize } from '../../components/Files'
import { announce, toast, toastError } from '../../components/ui'
import { scoped } from '../../i18n'

const wst = scoped('workspaceSettings')
type Export = Schemas['ExportAnswer']
const WORKING = new Set(['queued', 'building'])

export function WorkspaceLeaving() {
  return (
    <>
      <ExportAll />
      <DeleteWorkspace />
    </>
  )
}

function ExportAll() {
  const ws = workspaceId.value!
  const [latest, setLatest] = useState<Export | null | undefined>(undefined)
  const working = !!latest && WORKING.has(latest.status)
  useEffect(() => {
    get<Schemas['LatestExport']>(`/api/workspaces/${ws}/export`).then((l) => setLatest(l.export), toastError)
  }, [ws])
  useEffect(() => {  // follow a queued or building export until it is done
    if (!working) return
    const timer = setInterval(() => {
      get<Schemas['LatestExport']>(`/api/workspaces/${ws}/export`).then((l) => {
        setLatest(l.export)
        if (l.export?.status === 'ready') announce(wst('export_ready', readyWords(l.export)))
      }, () => undefined)
    }, 1000)
    return () => clearInterval(timer)
  }, [ws, working])

  async function start() {
    try {
      setLatest(await post<Export>(`/api/workspaces/${ws}/export`))
      announce(wst('exportAsked'))
    } catch (error) {
      toastError(error)
    }
  }

  return (
    <section class="ws-leaving" aria-labelledby="ws-export-title" data-testid="workspace-export">
      <h2 id="ws-export-title">{wst('exportTitle')}</h2>
      <p class="muted">{wst('exportHint')}</p>
      <p data-testid="workspace-export-status" aria-live="polite">{latest === undefined ? '' : status(latest)}</p>
      <div class="ws-settings__actions">
        {latest?.status === 'ready' && latest.download_url && (
          <a class="btn btn--primary" href={latest.download_url} download data-testid="workspace-export-download">
            {wst('exportDownload')}</a>
        )}
        <button type="button" class="btn" data-testid="workspace-export-start" disabled={working} onClick={() => void start()}>
          {latest && latest.status !== 'failed' ? wst('exportAgain') : wst('exportStart')}
        </button>
      </div>
    </section>
  )
}

function readyWords(e: Export): Record<string, string> {
  return { size: fileSize(e.size ?? 0), until: dateTime(e.expires_at) }
}

function status(e: Export | null): string {
  if (!e) return wst('exportNone')
  if (e.status === 'ready') return e.download_url ? wst('export_ready', readyWords(e)) : wst('exportNoLink')
  if (e.status === 'failed') return wst('export_failed', { error: e.error ?? '' })
  return wst(`export_${e.status}` as 'export_queued')
}

function DeleteWorkspace() {
  const ws = workspaceId.value!
  const name = workspace.value?.name ?? ''
  const owner = role.value === 'owner'
  const [typed, setTyped] = useState('')
  const [busy, setBusy] = useState(false)
  const matches = typed.trim().toLocaleLowerCase() === name.trim().toLocaleLowerCase() && !!name

  async function remove(e: Event) {
    e.preventDefault()
    setBusy(true)
    try {
      await del(`/api/workspaces/${ws}${query({ confirm: typed })}`)
      toast(wst('deleted', { name }))
      await loadWorkspaces()
      navigate('/', { replace: true })
    } catch (error) {
      toastError(error)
      setBusy(false)
    }
  }

  return (
    <section class="ws-leaving ws-leaving--danger" aria-labelledby="ws-delete-title" data-testid="workspace-delete">
      <h2 id="ws-delete-title">{wst('deleteTitle')}</h2>
      <p class="muted">{wst('deleteHint')}</p>
      {owner ? (
        <form class="ws-settings" onSubmit={remove}>
          <label class="field"><span class="field__label">{wst('deleteConfirm', { name })}</span>
            <input data-testid="workspace-delete-confirm" value={typed} autoComplete="off"
              onInput={(e) => setTyped((e.target as HTMLInputElement).value)} /></label>
          <div class="ws-settings__actions">
            <button type="submit" class="btn btn--danger" data-testid="workspace-delete-button" disabled={!matches || busy}>
              {wst('deleteButton')}</button>
          </div>
        </form>
      ) : <p>{wst('deleteOwnersOnly')}</p>}
    </section>
  )
}
