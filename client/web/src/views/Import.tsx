/**
 * CSV import of contacts, organisations or deals, with the server's validation report: a file
 * with a bad row imports nothing, and each bad row is listed with its line number and reason.
 */
import { useState } from 'preact/hooks'
import { ApiError, api, type Schemas } from '../lib/api'
import { workspaceId } from '../lib/session'
import { Icon, announce } from '../components/ui'

/** The server's validation report (`ImportReport`): 200 when imported, 422 with every problem when not. */
type Report = Partial<Schemas['ImportReport']>

export function ImportPage() {
  const [kind, setKind] = useState<'contacts' | 'organisations'>('contacts')
  const [file, setFile] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const [report, setReport] = useState<{ ok: boolean; report: Report; message?: string } | null>(null)

  async function submit(event: Event) {
    event.preventDefault()
    const dryRun = (event as SubmitEvent).submitter?.getAttribute('value') === 'check'
    if (!file) return
    setBusy(true)
    setReport(null)
    try {
      const text = await file.text()
      const result = await api<Report>('POST', `/api/workspaces/${workspaceId.value}/import/${kind}${dryRun ? '?dry_run=true' : ''}`,
        new Blob([text], { type: 'text/csv' }))
      setReport({ ok: true, report: result ?? {} })
      announce('Import finished.')
    } catch (e) {
      const body = e instanceof ApiError && e.body && typeof e.body === 'object' ? (e.body as Report) : {}
      const problems = body.problems?.length ?? 0
      setReport({ ok: false, report: body, message: problems ? `${problems} problem${problems === 1 ? '' : 's'} found in ${body.rows ?? 'the'} rows.` : e instanceof Error ? e.message : String(e) })
      announce('Import failed; see the report.')
    } finally {
      setBusy(false)
    }
  }
  const problems = report?.report.problems ?? []
  const r = report?.report
  return (
    <div class="page-narrow">
      <header class="page-header"><div class="page-header__title"><h1>Import from CSV</h1></div></header>
      <form class="card-surface stack" onSubmit={submit}>
        <fieldset class="field"><legend class="field__label">What the file holds</legend>
          <div class="row">
            {(['contacts', 'organisations'] as const).map((k) => (
              <label key={k} class="radio"><input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} /> {k[0].toUpperCase() + k.slice(1)}</label>
            ))}
          </div>
        </fieldset>
        <label class="dropzone">
          <Icon name="import" size={28} />
          <span>{file ? <strong>{file.name}</strong> : 'Choose a CSV file (first row: column names)'}</span>
          <input type="file" accept=".csv,text/csv" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
        </label>
        <p class="muted small">The whole file is checked first: if any row is invalid, nothing is imported and every problem is listed below.</p>
        <div class="row">
          <button class="btn btn--primary" value="import" disabled={!file || busy}>{busy ? 'Working…' : 'Import'}</button>
          <button class="btn" value="check" disabled={!file || busy}>Check only</button>
        </div>
      </form>
      {report && (
        <section class={`card-surface report${report.ok ? ' report--ok' : ' report--bad'}`} aria-labelledby="report-title" data-testid="import-report">
          <h2 id="report-title">{!report.ok ? 'Nothing was imported'
            : r?.dry_run ? `The file is valid: ${r.created ?? 0} ${kind} would be created` : `Imported ${r?.created ?? 0} ${kind}`}</h2>
          {!report.ok && report.message && <p>{report.message}</p>}
          {report.ok && (r?.organisations_created?.length ?? 0) > 0 && <p class="muted">New organisations: {r!.organisations_created!.join(', ')}</p>}
          {(r?.ignored_columns?.length ?? 0) > 0 && <p class="muted">Columns ignored: {r!.ignored_columns!.join(', ')}</p>}
          {problems.length > 0 && (
            <table class="table">
              <caption class="sr-only">Problems by line</caption>
              <thead><tr><th scope="col">Line</th><th scope="col">Column</th><th scope="col">Problem</th></tr></thead>
              <tbody>{problems.map((p, i) => (
                <tr key={i}><td>{p.line}</td><td>{p.column ?? '—'}</td><td class="wrap">{p.reason}</td></tr>
              ))}</tbody>
            </table>
          )}
        </section>
      )}
    </div>
  )
}
