/**
 * CSV import as people do it: choose what the file holds (contacts, leads, organisations, or deals
 * onto a pipeline) and a file; the server reads it (any encoding and delimiter spreadsheets write)
 * and answers a dry run, shown here as the column mapping (each header → a column, remembered per
 * header row) and a preview of the first rows as the records they would become, with each row's
 * problems inline. The user picks what duplicates do (skip, update, merge) and whether the good
 * rows go in alone; every change re-runs the dry run. After the import: its counts and an undo;
 * below, the recent imports, the last of which can be undone.
 */
import { Fragment } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { ApiError, api, get, post, type Schemas } from '../lib/api'
import { boards, members, workspaceId } from '../lib/session'
import { relative } from '../lib/format'
import { Icon, announce, toastError } from '../components/ui'
import { column, it, type ImportWord } from '../i18n'

type Report = Schemas['ImportReport']
type Batch = Schemas['ImportBatch']
type Kind = 'contacts' | 'leads' | 'organisations' | 'deals'
type Duplicates = 'skip' | 'update' | 'merge'
const KINDS: Kind[] = ['contacts', 'leads', 'organisations', 'deals']
const LISTS: Record<Kind, string> = { contacts: 'contacts', leads: 'contacts', organisations: 'organisations', deals: '' }

/** The report of a dry run or an import: the 200 body, or the 422 body that lists the problems. */
async function send(kind: Kind, board: string, file: File, options: { dryRun: boolean; duplicates: Duplicates; partial: boolean; mapping: Record<string, string | null> | null }): Promise<Report> {
  const form = new FormData()
  form.append('file', file, file.name)
  if (options.mapping) form.append('mapping', JSON.stringify(options.mapping))
  const query = new URLSearchParams({ dry_run: String(options.dryRun), duplicates: options.duplicates, partial: String(options.partial) })
  if (kind === 'deals') query.set('board', board)
  try {
    return await api<Report>('POST', `/api/workspaces/${workspaceId.value}/import/${kind}?${query}`, form)
  } catch (e) {
    if (e instanceof ApiError && e.body && typeof e.body === 'object' && 'preview' in (e.body as object)) return e.body as Report
    throw e
  }
}

export function ImportPage() {
  const pipelines = boards.value.filter((b) => b.kind === 'pipeline' && !b.archived_at)
  const [kind, setKind] = useState<Kind>('contacts')
  const [board, setBoard] = useState(pipelines[0]?.id ?? '')
  const [file, setFile] = useState<File | null>(null)
  const [mapping, setMapping] = useState<Record<string, string | null> | null>(null)
  const [duplicates, setDuplicates] = useState<Duplicates>('skip')
  const [partial, setPartial] = useState(false)
  const [preview, setPreview] = useState<Report | null>(null)
  const [done, setDone] = useState<Report | null>(null)
  const [busy, setBusy] = useState<'' | 'reading' | 'importing'>('')
  const [error, setError] = useState('')
  const [history, setHistory] = useState<Batch[] | null>(null)

  const loadHistory = () => get<Batch[]>(`/api/workspaces/${workspaceId.value}/imports`).then(setHistory).catch(() => setHistory([]))
  useEffect(() => { void loadHistory() }, [workspaceId.value])
  useEffect(() => {
    if (!board && pipelines[0]) setBoard(pipelines[0].id)
  }, [pipelines.length])

  // every choice re-runs the dry run, so the preview always shows what Import would do
  useEffect(() => {
    if (!file || (kind === 'deals' && !board)) return
    let current = true
    setBusy('reading')
    setError('')
    send(kind, board, file, { dryRun: true, duplicates, partial, mapping })
      .then((report) => { if (current) setPreview(report) })
      .catch((e) => { if (current) { setPreview(null); setError(e instanceof Error ? e.message : String(e)) } })
      .finally(() => { if (current) setBusy('') })
    return () => { current = false }
  }, [file, kind, board, duplicates, partial, mapping])

  function choose(next: File | null) {
    setFile(next)
    setMapping(null) // the server suggests (or remembers) a mapping for the new header row
    setDone(null)
    setPreview(null)
  }

  function remap(header: string, target: string) {
    setMapping({ ...(preview?.mapping ?? {}), [header]: target || null })
  }

  async function runImport() {
    if (!file) return
    setBusy('importing')
    try {
      const report = await send(kind, board, file, { dryRun: false, duplicates, partial, mapping })
      if (report.imported) {
        setDone(report)
        setFile(null)
        setPreview(null)
        announce(it('done', report))
        void loadHistory()
      } else {
        setPreview(report)
        announce(it('failed'))
      }
    } catch (e) {
      toastError(e)
    } finally {
      setBusy('')
    }
  }

  async function undo(batch: Batch | { id: string; created: number; updated: number }) {
    if (!confirm(it('undoConfirm', { created: batch.created, updated: batch.updated }))) return
    try {
      await post(`/api/workspaces/${workspaceId.value}/imports/${batch.id}/undo`)
      announce(it('undone'))
      setDone(null)
      void loadHistory()
    } catch (e) {
      toastError(e)
    }
  }

  const undoable = history?.find((b) => b.undoable)
  return (
    <div class="page-wide import-page">
      <header class="page-header"><div class="page-header__title"><h1>{it('title')}</h1></div></header>
      <section class="card-surface stack" aria-labelledby="import-source">
        <p id="import-source" class="muted small">{it('intro')}</p>
        <fieldset class="field"><legend class="field__label">{it('holds')}</legend>
          <div class="row wrap">
            {KINDS.map((k) => (
              <label key={k} class="radio"><input type="radio" name="kind" value={k} checked={kind === k}
                onChange={() => { setKind(k); setMapping(null) }} /> {it(`kind_${k}` as ImportWord)}</label>
            ))}
          </div>
          {kind === 'leads' && <p class="muted small">{it('leadsHint')}</p>}
        </fieldset>
        {kind === 'deals' && (pipelines.length ? (
          <label class="field"><span class="field__label">{it('board')}</span>
            <select value={board} onChange={(e) => setBoard((e.target as HTMLSelectElement).value)}>
              {pipelines.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
            </select>
          </label>
        ) : <p class="muted">{it('noPipeline')}</p>)}
        <label class="dropzone">
          <Icon name="import" size={28} />
          <span>{file ? <strong>{it('chosen', { file: file.name })}</strong> : it('chooseFile')}</span>
          <input type="file" accept=".csv,.txt,text/csv" onChange={(e) => choose((e.target as HTMLInputElement).files?.[0] ?? null)} />
        </label>
        {busy === 'reading' && <p class="muted small" role="status">{it('reading')}</p>}
        {error && <p class="form-error" role="alert">{it('cannotRead')} {error}</p>}
      </section>

      {done && <Done report={done} kind={kind} onUndo={() => done.batch && undo({ id: done.batch, created: done.created, updated: done.updated })} />}
      {preview && file && <Preview report={preview} busy={busy} duplicates={duplicates} partial={partial}
        onRemap={remap} onDuplicates={setDuplicates} onPartial={setPartial} onImport={runImport} />}

      <section class="card-surface stack" aria-labelledby="import-history">
        <h2 id="import-history">{it('history')}</h2>
        {history && !history.length && <p class="muted">{it('historyEmpty')}</p>}
        {history && history.length > 0 && (
          <ul class="import-history" data-testid="import-history">
            {history.map((b) => (
              <li key={b.id} class={b.undone_at ? 'is-undone' : ''}>
                <span><strong>{it(`kind_${b.kind}` as ImportWord)}</strong> · {relative(b.created_at)}
                  {b.created_by && <> · {members.value.find((m) => m.user.id === b.created_by)?.user.name}</>}</span>
                <span class="muted">{it('historyRow', b)}{b.undone_at && <> · {it('undoneAt', { when: relative(b.undone_at) })}</>}</span>
                {b.undoable && b.id === undoable?.id && <button class="btn btn--ghost" onClick={() => undo(b)}>{it('undo')}</button>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  )
}

function Done({ report, kind, onUndo }: { report: Report; kind: Kind; onUndo: () => void }) {
  const left = new Set(report.problems.map((p) => p.line)).size
  return (
    <section class="card-surface report report--ok stack" aria-labelledby="import-done" data-testid="import-report">
      <h2 id="import-done">{it('done', report)}</h2>
      {left > 0 && <p>{it('doneWithProblems', { n: left })}</p>}
      {report.organisations_created.length > 0 && <p class="muted">{it('newOrganisations', { list: report.organisations_created.join(', ') })}</p>}
      <div class="row wrap">
        {LISTS[kind] && <a class="btn" href={`/w/${workspaceId.value}/${LISTS[kind]}`}>{it('openList')}</a>}
        {report.batch && <button class="btn btn--ghost" onClick={onUndo}>{it('undo')}</button>}
      </div>
    </section>
  )
}

function Preview({ report, busy, duplicates, partial, onRemap, onDuplicates, onPartial, onImport }: {
  report: Report; busy: string; duplicates: Duplicates; partial: boolean
  onRemap: (header: string, target: string) => void; onDuplicates: (d: Duplicates) => void
  onPartial: (p: boolean) => void; onImport: () => void
}) {
  const first = report.preview[0]?.cells ?? {}
  const shown = report.headers.map((h) => report.mapping[h]).filter((c): c is string => !!c)
  const errors = new Set(report.problems.map((p) => p.line)).size
  const writes = report.created + report.updated
  const blocked = errors > 0 && !partial
  const targets = [...report.columns, ...Object.keys(report.fields)]
  return (
    <>
      <section class="card-surface stack" aria-labelledby="import-mapping" data-testid="import-mapping">
        <h2 id="import-mapping">{it('mapping')}</h2>
        <p class="muted small">{it('readAs', { encoding: it(`enc_${report.encoding}` as ImportWord), delimiter: it(`delim_${report.delimiter}` as ImportWord), rows: report.rows })}
          {' '}{it('mappingIntro')}</p>
        {report.remembered && <p class="tag tag--pipeline import-remembered">{it('remembered')}</p>}
        <div class="table-wrap">
          <table class="table import-mapping">
            <thead><tr><th scope="col">{it('header')}</th><th scope="col">{it('target')}</th><th scope="col">{it('example')}</th></tr></thead>
            <tbody>{report.headers.map((h) => {
              const target = report.mapping[h] ?? ''
              return (
                <tr key={h}>
                  <th scope="row"><strong>{h}</strong></th>
                  <td><select aria-label={`${it('target')}: ${h}`} value={target} onChange={(e) => onRemap(h, (e.target as HTMLSelectElement).value)}>
                    <option value="">{it('ignore')}</option>
                    {targets.map((c) => <option key={c} value={c}>{c in report.fields ? it('customField', { label: report.fields[c] }) : column(c)}</option>)}
                  </select></td>
                  <td class="muted wrap">{target ? first[target] ?? '' : ''}</td>
                </tr>
              )
            })}</tbody>
          </table>
        </div>
      </section>

      <section class="card-surface stack" aria-labelledby="import-options">
        <fieldset class="field"><legend id="import-options" class="field__label">{it('duplicates')}</legend>
          <p class="muted small">{it('duplicatesIntro')}</p>
          <div class="import-choices">
            {(['skip', 'update', 'merge'] as const).map((d) => (
              <label key={d} class="radio"><input type="radio" name="duplicates" value={d} checked={duplicates === d} onChange={() => onDuplicates(d)} />
                <span><strong>{it(`dup_${d}` as ImportWord)}</strong> <span class="muted">– {it(`dup_${d}Hint` as ImportWord)}</span></span></label>
            ))}
          </div>
        </fieldset>
        <label class="radio"><input type="checkbox" checked={partial} onChange={(e) => onPartial((e.target as HTMLInputElement).checked)} />
          <span>{it('partial')} <span class="muted small">– {it('partialHint')}</span></span></label>
      </section>

      <section class="card-surface stack" aria-labelledby="import-preview" data-testid="import-preview">
        <h2 id="import-preview">{it('preview')}</h2>
        <p class="muted small">{it('previewIntro', { n: report.preview.length })}</p>
        <p><strong>{it('summary', { created: report.created, updated: report.updated, skipped: report.skipped, errors })}</strong></p>
        <div class="table-wrap">
          <table class="table import-preview">
            <thead><tr>
              <th scope="col">{it('line')}</th><th scope="col">{it('action')}</th>
              {shown.map((c) => <th key={c} scope="col">{column(c, report.fields)}</th>)}
            </tr></thead>
            <tbody>{report.preview.map((row) => (
              <Fragment key={row.line}>
                <tr class={`import-row import-row--${row.action}`}>
                  <td>{row.line}</td>
                  <td><span class={`tag ${row.action === 'error' ? 'tag--lost' : row.action === 'create' ? 'tag--won' : row.action === 'update' ? 'tag--warn' : 'tag--quiet'}`}>{it(`act_${row.action}` as ImportWord)}</span>
                    {row.note && <div class="muted small">{row.note}</div>}</td>
                  {shown.map((c) => <td key={c} class="wrap">{row.cells[c] ?? ''}</td>)}
                </tr>
                {row.problems.length > 0 && (
                  <tr class="import-row__problems"><td /><td colSpan={shown.length + 1} class="wrap">
                    {row.problems.map((p, i) => <div key={i} class="import-problem small">{p.column ? `${column(p.column, report.fields)}: ` : ''}{p.reason}</div>)}
                  </td></tr>
                )}
              </Fragment>
            ))}</tbody>
          </table>
        </div>
        {report.problems.some((p) => !report.preview.some((r) => r.line === p.line)) && (
          <details open={!report.preview.length}><summary>{it('allProblems')} ({report.problems.length})</summary>
            <table class="table"><thead><tr><th scope="col">{it('line')}</th><th scope="col">{it('column')}</th><th scope="col">{it('problem')}</th></tr></thead>
              <tbody>{report.problems.map((p, i) => <tr key={i}><td>{p.line}</td><td>{p.column ? column(p.column, report.fields) : '—'}</td><td class="wrap">{p.reason}</td></tr>)}</tbody>
            </table>
          </details>
        )}
        {blocked && <p class="form-error">{it('fixFirst')}</p>}
        <div class="row">
          <button class="btn btn--primary" disabled={!!busy || blocked || writes === 0} onClick={onImport}>
            {busy === 'importing' ? it('importing') : writes === 0 ? it('nothingToImport') : it('importN', { n: writes })}
          </button>
        </div>
      </section>
    </>
  )
}
