/**
 * Settings › Lead scoring (docs/lead-scoring.md): the workspace's fit, engagement and decay rules
 * (the defaults are stored on the first open; admins edit, save and reset them, others read them),
 * next to each fit rule the win rates of closed deals whose contact met it ("From history"), and a
 * live preview: what a chosen lead would score under the rules as they stand on screen.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, type Schemas } from '../../lib/api'
import { workspaceId } from '../../lib/session'
import { Spinner, announce, toast, toastError } from '../../components/ui'
import { Explanation, fieldLabel, sct } from './ScoreBadge'
import './scoring.css'

type Rule = Schemas['ScoringRule']
type Rules = Schemas['ScoringRules']
type History = Schemas['ScoringRuleHistory']
type Preview = Schemas['ScorePreview']
const FIELDS = ['source', 'status', 'labels', 'email_domain', 'organisation', 'job_title', 'country', 'city', 'value', 'title']
const OPS = ['equals', 'contains', 'one_of', 'is_set', 'between'] as const
const EVENTS = ['opened', 'clicked', 'replied', 'booked', 'form', 'activity'] as const

export const leadScoringLabel = () => sct('title')

function rate(won: number, lost: number): string {
  return won + lost ? `${Math.round((100 * won) / (won + lost))} %` : sct('noRate')
}

function HistoryLine({ history }: { history: History | undefined }) {
  if (!history) return null
  const met = history.matching.won + history.matching.lost
  if (met + history.others.won + history.others.lost === 0) return <p class="muted small scoring__history">{sct('history')}: {sct('historyNone')}</p>
  return (
    <p class="muted small scoring__history" data-testid="scoring-history">
      {sct('history')}: {sct('historyLine', { won: history.matching.won, all: met, rate: rate(history.matching.won, history.matching.lost), rate2: rate(history.others.won, history.others.lost) })}
      {history.by_value.length > 0 && <> · {sct('byValue')}: {history.by_value.slice(0, 4).map((r) => `${r.value} ${rate(r.won, r.lost)}`).join(', ')}</>}
    </p>
  )
}

function FieldPicker({ rule, admin, set }: { rule: Rule; admin: boolean; set: (r: Partial<Rule>) => void }) {
  const prefix = rule.field.startsWith('custom.') ? 'custom.' : rule.field.startsWith('organisation.') ? 'organisation.' : ''
  return (
    <>
      <label class="field"><span>{sct('field')}</span>
        <select value={prefix || rule.field} disabled={!admin} onChange={(e) => {
          const v = (e.target as HTMLSelectElement).value
          set({ field: v.endsWith('.') ? `${v}${rule.field.split('.')[1] ?? ''}` : v })
        }}>
          {FIELDS.map((f) => <option key={f} value={f}>{fieldLabel(f)}</option>)}
          <option value="custom.">{sct('fields.custom')}…</option>
          <option value="organisation.">{sct('fields.organisationField')}…</option>
        </select>
      </label>
      {prefix && <label class="field"><span>{sct('customKey')}</span>
        <input value={rule.field.slice(prefix.length)} disabled={!admin} onInput={(e) => set({ field: prefix + (e.target as HTMLInputElement).value })} />
      </label>}
    </>
  )
}

function RuleRow({ rule, index, admin, history, set, remove }: {
  rule: Rule; index: number; admin: boolean; history?: History; set: (r: Partial<Rule>) => void; remove: () => void
}) {
  const points = (
    <label class="field"><span>{sct('points')}</span>
      <input type="number" min={-100} max={100} value={rule.points} disabled={!admin} data-testid={`rule-points-${index}`}
        onInput={(e) => set({ points: Number((e.target as HTMLInputElement).value) })} />
    </label>
  )
  const days = (
    <label class="field"><span>{sct('days')}</span>
      <input type="number" min={1} max={365} value={rule.days} disabled={!admin} onInput={(e) => set({ days: Number((e.target as HTMLInputElement).value) })} />
    </label>
  )
  return (
    <li class="scoring__rule" data-testid="scoring-rule">
      {rule.kind === 'fit' && <>
        <FieldPicker rule={rule} admin={admin} set={set} />
        <label class="field"><span>{sct('op')}</span>
          <select value={rule.op} disabled={!admin} onChange={(e) => set({ op: (e.target as HTMLSelectElement).value })}>
            {OPS.map((o) => <option key={o} value={o}>{sct(`ops.${o}`)}</option>)}
          </select>
        </label>
        {rule.op !== 'is_set' && <label class="field"><span>{sct('values')}</span>
          <input value={(rule.values ?? []).join(', ')} disabled={!admin} title={sct('valuesHint')} placeholder={sct('valuesHint')}
            onInput={(e) => set({ values: (e.target as HTMLInputElement).value.split(',').map((v) => v.trim()).filter(Boolean) })} />
        </label>}
      </>}
      {rule.kind === 'engagement' && <>
        <label class="field"><span>{sct('event')}</span>
          <select value={rule.event} disabled={!admin} onChange={(e) => set({ event: (e.target as HTMLSelectElement).value })}>
            {EVENTS.map((ev) => <option key={ev} value={ev}>{sct(`events.${ev}`)}</option>)}
          </select>
        </label>
        {days}
      </>}
      {rule.kind === 'decay' && days}
      {points}
      {admin && <button type="button" class="btn btn--ghost btn--small" onClick={remove} aria-label={`${sct('remove')} ${index + 1}`}>{sct('remove')}</button>}
      {rule.kind === 'fit' && <HistoryLine history={history} />}
    </li>
  )
}

function PreviewBox({ ws, rules }: { ws: string; rules: Rule[] }) {
  const [leads, setLeads] = useState<Schemas['Lead'][] | null>(null)
  const [lead, setLead] = useState('')
  const [preview, setPreview] = useState<Preview | null>(null)
  const [problem, setProblem] = useState('')
  useEffect(() => {
    api<Schemas['LeadInbox']>('GET', `/api/workspaces/${ws}/leads?limit=50`).then((inbox) => {
      setLeads(inbox.leads)
      if (inbox.leads[0]) setLead(inbox.leads[0].id)
    }, toastError)
  }, [ws])
  useEffect(() => {
    if (!lead) return
    const timer = setTimeout(() => {
      api<Preview>('POST', `/api/workspaces/${ws}/lead-scoring/preview`, { rules, kind: 'lead', subject: lead }).then(
        (p) => { setPreview(p); setProblem('') }, (e) => setProblem(String((e as Error).message ?? e)))
    }, 250)
    return () => clearTimeout(timer)
  }, [ws, lead, JSON.stringify(rules)])
  return (
    <section class="scoring__preview" aria-labelledby="scoring-preview" data-testid="scoring-preview">
      <h2 id="scoring-preview">{sct('preview')}</h2>
      <p class="muted small">{sct('previewHelp')}</p>
      {!leads ? <Spinner /> : leads.length === 0 ? <p class="muted">{sct('noLeads')}</p> : <>
        <label class="field"><span>{sct('previewLead')}</span>
          <select value={lead} onChange={(e) => setLead((e.target as HTMLSelectElement).value)} data-testid="scoring-preview-lead">
            {leads.map((l) => <option key={l.id} value={l.id}>{l.title}</option>)}
          </select>
        </label>
        {problem ? <p class="error" role="alert">{problem}</p> : preview && <div aria-live="polite">
          <p><strong data-testid="scoring-preview-score">{sct('wouldScore', { score: preview.score })}</strong></p>
          <Explanation score={preview.score} total={preview.total} matched={preview.matched} />
        </div>}
      </>}
    </section>
  )
}

export function LeadScoringSettings({ admin }: { admin: boolean }) {
  const ws = workspaceId.value!
  const [saved, setSaved] = useState<Rules | null>(null)
  const [rules, setRules] = useState<Rule[]>([])
  const [history, setHistory] = useState<History[]>([])
  const [busy, setBusy] = useState(false)
  function take(found: Rules) { setSaved(found); setRules(found.rules) }
  useEffect(() => {
    api<Rules>('GET', `/api/workspaces/${ws}/lead-scoring/rules`).then(take, toastError)
    api<History[]>('GET', `/api/workspaces/${ws}/lead-scoring/history`).then(setHistory, () => setHistory([]))
  }, [ws])
  if (!saved) return <Spinner />
  const set = (i: number) => (change: Partial<Rule>) => setRules(rules.map((r, j) => (j === i ? { ...r, ...change } : r)))
  const remove = (i: number) => () => setRules(rules.filter((_, j) => j !== i))
  async function save() {
    setBusy(true)
    try {
      take(await api<Rules>('PUT', `/api/workspaces/${ws}/lead-scoring/rules`, { rules }))
      toast(sct('saved')); announce(sct('saved'))
    } catch (e) { toastError(e) } finally { setBusy(false) }
  }
  async function reset() {
    if (!confirm(sct('confirmReset'))) return
    try {
      take(await api<Rules>('DELETE', `/api/workspaces/${ws}/lead-scoring/rules`))
      toast(sct('resetDone')); announce(sct('resetDone'))
    } catch (e) { toastError(e) }
  }
  const group = (kind: Rule['kind'], title: string, help: string) => (
    <section class="scoring__group" aria-labelledby={`scoring-${kind}`}>
      <h2 id={`scoring-${kind}`}>{title}</h2>
      <p class="muted small">{help}</p>
      <ul class="scoring__list">
        {rules.map((r, i) => r.kind === kind && (
          <RuleRow key={i} rule={r} index={i} admin={admin} history={history.find((h) => h.rule === i)} set={set(i)} remove={remove(i)} />
        ))}
      </ul>
    </section>
  )
  return (
    <div class="scoring" data-testid="lead-scoring-settings">
      <p class="muted">{sct('help')}</p>
      {!admin && <p class="notice">{sct('readOnly')}</p>}
      {rules.length === 0 && <p class="notice">{sct('empty')}</p>}
      {group('fit', sct('fit'), sct('fitHelp'))}
      {group('engagement', sct('engagement'), sct('engagementHelp'))}
      {group('decay', sct('decay'), sct('decayHelp'))}
      {admin && <div class="scoring__actions">
        <button type="button" class="btn btn--ghost" onClick={() => setRules([...rules, { kind: 'fit', points: 5, field: 'source', op: 'equals', values: ['web_form'], event: '', days: 0 }])}>{sct('addFit')}</button>
        <button type="button" class="btn btn--ghost" onClick={() => setRules([...rules, { kind: 'engagement', points: 5, field: '', op: '', values: [], event: 'opened', days: 14 }])}>{sct('addEngagement')}</button>
        {!rules.some((r) => r.kind === 'decay') && <button type="button" class="btn btn--ghost" onClick={() => setRules([...rules, { kind: 'decay', points: -20, field: '', op: '', values: [], event: '', days: 30 }])}>{sct('addDecay')}</button>}
      </div>}
      {admin && <div class="scoring__actions">
        <button type="button" class="btn btn--primary" disabled={busy} onClick={() => void save()} data-testid="scoring-save">{sct('save')}</button>
        <button type="button" class="btn btn--ghost" onClick={() => void reset()} data-testid="scoring-reset">{sct('reset')}</button>
      </div>}
      <PreviewBox ws={ws} rules={rules} />
    </div>
  )
}
