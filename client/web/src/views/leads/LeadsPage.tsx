/**
 * The leads inbox (docs/leads.md): leads live apart from deals until someone qualifies them. Views by
 * status with counts, filters (owner, source) and search, bulk archive / restore, and a detail
 * panel to edit, qualify, archive and convert a lead into a contact and a deal on a board.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, query, type Schemas } from '../../lib/api'
import { canEdit, members, workspaceId } from '../../lib/session'
import { queryParam } from '../../lib/router'
import { relative } from '../../lib/format'
import { Empty, Icon, Spinner, announce, toast, toastError } from '../../components/ui'
import { scoped } from '../../i18n'
import { LeadDetail, NewLeadDialog } from './LeadDetail'
import { ScoreBadge, sct, useScores } from '../scoring/ScoreBadge'
import './leads.css'

export const lt = scoped('leads')
export type Lead = Schemas['Lead']
type Inbox = Schemas['LeadInbox']
type View = 'inbox' | 'new' | 'qualified' | 'converted' | 'archived'
const VIEWS: View[] = ['inbox', 'new', 'qualified', 'converted', 'archived']
const SOURCES = ['web_form', 'manual', 'import', 'email'] as const
const FLOORS = [20, 40, 60, 80]  // the "score at least" filter's choices (docs/lead-scoring.md)

function countOf(counts: Record<string, number>, view: View): number {
  if (view === 'inbox') return (counts.new ?? 0) + (counts.qualified ?? 0)
  return counts[view] ?? 0
}

export function LeadsPage() {
  const ws = workspaceId.value!
  const [view, setView] = useState<View>('inbox')
  const [owner, setOwner] = useState('')
  const [source, setSource] = useState('')
  const [q, setQ] = useState('')
  const [sort, setSort] = useState<'newest' | 'score'>('newest')
  const [floor, setFloor] = useState(0)
  const [inbox, setInbox] = useState<Inbox | null>(null)
  const [picked, setPicked] = useState<Set<string>>(new Set())
  const [open, setOpen] = useState<string | null>(null)
  const [adding, setAdding] = useState(false)
  const filtered = Boolean(owner || source || q || floor)

  async function load() {
    try {
      const status = view === 'inbox' ? undefined : view
      setInbox(await api<Inbox>('GET', `/api/workspaces/${ws}/leads${query({ status, owner, source, q, min_score: floor || undefined, sort, limit: 200 })}`))
    } catch (e) {
      toastError(e)
    }
  }
  useEffect(() => { setPicked(new Set()); void load() }, [ws, view, owner, source, q, floor, sort])
  useEffect(() => {  // /leads?lead=<id> (a deal's "From the lead" link): that lead, in its view
    const asked = queryParam('lead')
    if (!asked) return
    api<Lead>('GET', `/api/leads/${asked}`).then((lead) => {
      setView(lead.status === 'new' || lead.status === 'qualified' ? 'inbox' : lead.status)
      setOpen(lead.id)
    }, toastError)
  }, [ws])

  async function bulk(archived: boolean) {
    try {
      const done = await api<Schemas['Archived']>('POST', `/api/workspaces/${ws}/leads/archive`, { leads: [...picked], archived })
      const n = done.changed.length
      announce(archived ? lt('archivedN', { count: n }) : lt('restoredN', { count: n }))
      toast(archived ? lt('archivedN', { count: n }) : lt('restoredN', { count: n }))
      setPicked(new Set())
      await load()
    } catch (e) {
      toastError(e)
    }
  }
  function toggle(id: string) {
    const next = new Set(picked)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    setPicked(next)
  }
  const leads = inbox?.leads ?? []  // filtered and sorted by score on the server (docs/lead-scoring.md)
  const scores = useScores(ws, 'lead', leads.map((l) => l.id))
  const selectable = leads.filter((l) => l.status !== 'converted')
  const current = leads.find((l) => l.id === open) ?? null

  return (
    <div class="page-wide leads" data-testid="leads-page">
      <header class="page-header">
        <div class="page-header__title"><h1>{lt('title')}</h1></div>
        {canEdit.value && <button class="btn btn--primary" onClick={() => setAdding(true)} data-testid="lead-add"><Icon name="plus" size={16} />{lt('add')}</button>}
      </header>
      <div class="leads__views" role="group" aria-label={lt('views')}>
        {VIEWS.map((v) => (
          <button key={v} type="button" class={`chip${v === view ? ' is-on' : ''}`} aria-pressed={v === view} onClick={() => { setView(v); setOpen(null) }} data-testid={`lead-view-${v}`}>
            {lt(`view.${v}`)} <span class="leads__count">{inbox ? countOf(inbox.counts, v) : '…'}</span>
          </button>
        ))}
      </div>
      <div class="row row--wrap leads__filters">
        <label class="field grow"><span class="sr-only">{lt('search')}</span>
          <input type="search" value={q} placeholder={lt('searchPlaceholder')} aria-label={lt('search')} onInput={(e) => setQ((e.target as HTMLInputElement).value)} data-testid="lead-search" />
        </label>
        <label class="field"><span class="sr-only">{lt('owner')}</span>
          <select value={owner} aria-label={lt('owner')} onChange={(e) => setOwner((e.target as HTMLSelectElement).value)}>
            <option value="">{lt('anyOwner')}</option>
            {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
          </select>
        </label>
        <label class="field"><span class="sr-only">{lt('source')}</span>
          <select value={source} aria-label={lt('source')} onChange={(e) => setSource((e.target as HTMLSelectElement).value)}>
            <option value="">{lt('anySource')}</option>
            {SOURCES.map((s) => <option key={s} value={s}>{lt(`sources.${s}`)}</option>)}
          </select>
        </label>
        <label class="field"><span class="sr-only">{sct('minScore')}</span>
          <select value={floor} aria-label={sct('minScore')} onChange={(e) => setFloor(Number((e.target as HTMLSelectElement).value))} data-testid="lead-min-score">
            <option value={0}>{sct('anyScore')}</option>
            {FLOORS.map((n) => <option key={n} value={n}>{sct('minScore')} {n}</option>)}
          </select>
        </label>
        <label class="field"><span class="sr-only">{sct('sort')}</span>
          <select value={sort} aria-label={sct('sort')} onChange={(e) => setSort((e.target as HTMLSelectElement).value as 'newest' | 'score')} data-testid="lead-sort">
            <option value="newest">{sct('sortNewest')}</option>
            <option value="score">{sct('sortScore')}</option>
          </select>
        </label>
      </div>
      {picked.size > 0 && canEdit.value && (
        <div class="leads__bulk notice" role="region" aria-label={lt('selected', { count: picked.size })}>
          <strong>{lt('selected', { count: picked.size })}</strong>
          {view === 'archived'
            ? <button class="btn btn--small" onClick={() => void bulk(false)} data-testid="lead-bulk-restore">{lt('restoreSelected')}</button>
            : <button class="btn btn--small" onClick={() => void bulk(true)} data-testid="lead-bulk-archive">{lt('archiveSelected')}</button>}
        </div>
      )}
      <div class={`leads__body${current ? ' leads__body--open' : ''}`}>
        {!inbox ? <Spinner /> : leads.length === 0 ? (
          filtered ? <Empty title={lt('emptyFiltered')} /> : (
            <Empty title={lt('emptyTitle')} icon="✉">
              <p>{lt('emptyBody')}</p>
              {canEdit.value && <div class="row row--wrap leads__ways">
                <button class="btn btn--ghost" onClick={() => setAdding(true)}>{lt('addByHand')}</button>
                <a class="btn btn--ghost" href={`/w/${ws}/import`}>{lt('importLeads')}</a>
                <a class="btn btn--ghost" href={`/w/${ws}/settings/lead-forms`}>{lt('setUpForm')}</a>
              </div>}
            </Empty>
          )
        ) : (
          <ul class="leads__list" data-testid="lead-list">
            {canEdit.value && selectable.length > 1 && (
              <li class="leads__all">
                <label><input type="checkbox" checked={selectable.every((l) => picked.has(l.id))}
                  onChange={(e) => setPicked((e.target as HTMLInputElement).checked ? new Set(selectable.map((l) => l.id)) : new Set())} /> {lt('selectAll')}</label>
              </li>
            )}
            {leads.map((lead) => (
              <li key={lead.id} class={`lead-row${lead.id === open ? ' is-open' : ''}`} data-testid="lead-row">
                {canEdit.value && lead.status !== 'converted' && (
                  <input type="checkbox" checked={picked.has(lead.id)} onChange={() => toggle(lead.id)} aria-label={lt('select', { title: lead.title })} />
                )}
                <button type="button" class="lead-row__main" onClick={() => setOpen(lead.id === current?.id ? null : lead.id)} aria-expanded={lead.id === open}>
                  <strong class="lead-row__title">{lead.title}</strong>
                  <span class="muted lead-row__who">{[lead.person_name, lead.organisation_name, lead.email].filter(Boolean).join(' · ')}</span>
                  <span class="lead-row__tags">
                    <span class={`tag tag--lead-${lead.status}`}>{lt(`status.${lead.status}`)}</span>
                    <span class="tag tag--quiet">{lt(`sources.${lead.source}`)}</span>
                    <span class="muted small">{relative(lead.created_at)}</span>
                  </span>
                </button>
                <ScoreBadge score={scores[lead.id]} testId="lead-score" />
              </li>
            ))}
          </ul>
        )}
        {current && <LeadDetail key={current.id} lead={current} onClose={() => setOpen(null)} onChanged={load} />}
      </div>
      {adding && <NewLeadDialog onClose={() => setAdding(false)} onCreated={(lead) => { setAdding(false); setView('inbox'); void load(); setOpen(lead.id) }} />}
    </div>
  )
}
