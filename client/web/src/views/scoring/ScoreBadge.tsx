/**
 * A lead's or contact's score as a small badge (docs/lead-scoring.md). Hovering, focusing or tapping
 * it opens its explanation: each rule that matched with its points and evidence, the total, and
 * when it was computed. Escape or a second tap closes it. `useScores` reads the stored scores of
 * the ids shown.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, type Schemas } from '../../lib/api'
import { relative } from '../../lib/format'
import { scoped } from '../../i18n'
import './scoring.css'

export const sct = scoped('leadScoring')
export type StoredScore = Schemas['LeadScore']
export type MatchedRule = Schemas['MatchedRule']
export type Kind = 'lead' | 'contact'

/** The stored scores of `ids`, by id (re-read when the ids change). */
export function useScores(workspace: string, kind: Kind, ids: string[]): Record<string, StoredScore> {
  const [scores, setScores] = useState<Record<string, StoredScore>>({})
  const key = ids.join(',')
  useEffect(() => {
    if (!ids.length) { setScores({}); return }
    const search = new URLSearchParams({ kind })
    for (const id of ids) search.append('ids', id)
    api<StoredScore[]>('GET', `/api/workspaces/${workspace}/lead-scoring/scores?${search}`).then(
      (found) => setScores(Object.fromEntries(found.map((s) => [s.subject, s]))), () => setScores({}))
  }, [workspace, kind, key])
  return scores
}

export function fieldLabel(field: string): string {
  if (field.startsWith('custom.')) return `${sct('fields.custom')}: ${field.slice(7)}`
  if (field.startsWith('organisation.')) return `${sct('fields.organisationField')}: ${field.slice(13)}`
  return sct(`fields.${field}` as never)
}

/** One matched rule in the reader's language, from its structured evidence. */
export function evidenceText(m: MatchedRule): string {
  const e = m.evidence as Record<string, unknown>
  if (m.kind === 'fit') {
    const field = fieldLabel(String(e.field))
    return e.op === 'is_set' ? sct('evidence.fitSet', { field }) : sct('evidence.fit', { field, value: String(e.value) })
  }
  if (m.kind === 'engagement') return sct(`evidence.${String(e.event)}` as never, { count: Number(e.count), days: Number(e.days) })
  return sct('evidence.decay', { idle: Number(e.idle_days) })
}

function band(score: number): string {
  return score >= 60 ? 'hot' : score >= 30 ? 'warm' : 'cold'
}

export function Explanation({ score, total, matched, computedAt }: {
  score: number; total: number; matched: MatchedRule[]; computedAt?: string
}) {
  return (
    <div class="score-explain">
      {matched.length === 0 ? <p class="muted">{sct('nothingMatched')}</p> : (
        <ul class="score-explain__rules">
          {matched.map((m) => (
            <li key={m.rule}>
              <span class={`score-explain__points${m.points < 0 ? ' is-minus' : ''}`}>{m.points > 0 ? `+${m.points}` : m.points}</span>
              <span>{evidenceText(m)}</span>
            </li>
          ))}
        </ul>
      )}
      <p class="score-explain__total"><strong>{sct('total')}: {score}</strong>
        {total !== score && <span class="muted small"> · {sct('clamped', { total })}</span>}</p>
      {computedAt && <p class="muted small">{sct('computed', { when: relative(computedAt) })}</p>}
    </div>
  )
}

export function ScoreBadge({ score, testId = 'score-badge' }: { score: StoredScore | undefined; testId?: string }) {
  const [open, setOpen] = useState(false)
  const [pinned, setPinned] = useState(false)
  const box = useRef<HTMLSpanElement>(null)
  useEffect(() => {
    if (!open) return
    const away = (e: Event) => { if (!box.current?.contains(e.target as Node)) { setOpen(false); setPinned(false) } }
    document.addEventListener('pointerdown', away)
    return () => document.removeEventListener('pointerdown', away)
  }, [open])
  if (!score) return <span class="score-badge score-badge--none" title={sct('notScored')} data-testid={testId}>–</span>
  const id = `score-${score.subject}`
  return (
    <span class="score-badge__box" ref={box}
      onMouseEnter={() => setOpen(true)} onMouseLeave={() => { if (!pinned) setOpen(false) }}
      onKeyDown={(e) => { if (e.key === 'Escape' && open) { e.stopPropagation(); setOpen(false); setPinned(false) } }}>
      <button type="button" class={`score-badge score-badge--${band(score.score)}`} aria-label={sct('badge', { score: score.score })}
        aria-expanded={open} aria-controls={id} data-testid={testId}
        onFocus={() => setOpen(true)} onBlur={(e) => { if (!box.current?.contains(e.relatedTarget as Node)) { setOpen(false); setPinned(false) } }}
        onClick={(e) => { e.stopPropagation(); const next = !(open && pinned); setPinned(next); setOpen(next) }}>
        {score.score}
      </button>
      {open && (
        <div class="score-pop" id={id} role="dialog" aria-label={sct('why', { score: score.score })} data-testid="score-explanation">
          <p class="score-pop__title"><strong>{sct('why', { score: score.score })}</strong></p>
          <Explanation score={score.score} total={score.total} matched={score.matched} computedAt={score.computed_at} />
        </div>
      )}
    </span>
  )
}

/** The contact page's badge. */
export function ContactScore({ workspace, contact }: { workspace: string; contact: string }) {
  const scores = useScores(workspace, 'contact', [contact])
  return <span class="detail__score">{sct('title')}: <ScoreBadge score={scores[contact]} testId="contact-score" /></span>
}
