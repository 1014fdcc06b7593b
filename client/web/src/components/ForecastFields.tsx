/**
 * A deal's forecast fields in its panel (issue 19): its own win probability (empty: the stage's)
 * and forecast category, written into the board document like every field; and how often its
 * expected close was pushed later (the server counts it from the projection, docs/forecast.md).
 */
import { useEffect, useState } from 'preact/hooks'
import { get } from '../lib/api'
import { setCard, unsetCard, type Card, type Stage } from '../lib/board'
import type { SyncedDoc } from '../lib/ydocs'
import { scoped } from '../i18n'
import { LiveInput } from './inputs'

const ft = scoped('forecast')
export const CATEGORIES = ['pipeline', 'best_case', 'commit', 'omitted'] as const

export function ForecastFields({ synced, card, stage, writable, Row }: {
  synced: SyncedDoc; card: Card; stage: Stage | undefined; writable: boolean
  Row: (props: { label: string; children: preact.ComponentChildren }) => preact.JSX.Element
}) {
  const stageChance = stage?.probability ?? 0
  return (
    <>
      <Row label={ft('probability')}>
        <LiveInput type="number" min="0" max="100" step="1" aria-label={ft('probability')} data-testid="deal-probability"
          value={card.probability === null ? '' : String(card.probability)} readOnly={!writable}
          placeholder={ft('probabilityHint', { percent: stageChance })} title={ft('probabilityHint', { percent: stageChance })}
          onCommit={(v) => {
            const n = Number(v)
            if (v.trim() === '') unsetCard(synced.doc, card.id, ['probability'])
            else if (Number.isFinite(n)) setCard(synced.doc, card.id, { probability: Math.min(100, Math.max(0, n)) })
          }} />
      </Row>
      <Row label={ft('category')}>
        <select aria-label={ft('category')} data-testid="deal-forecast-category" value={card.forecastCategory || 'pipeline'} disabled={!writable}
          onChange={(e) => setCard(synced.doc, card.id, { forecastCategory: (e.target as HTMLSelectElement).value })}>
          {CATEGORIES.map((c) => <option key={c} value={c}>{ft(`category_${c}`)}</option>)}
        </select>
      </Row>
    </>
  )
}

/** "Close date pushed later 2 times" under the expected close, for members (nothing when never). */
export function ClosePushes({ workspace, board, card, expectedClose }: { workspace: string; board: string; card: string; expectedClose: string }) {
  const [pushes, setPushes] = useState(0)
  useEffect(() => {
    let live = true
    // the projection counts a push a moment after the edit: read at once, and again shortly after
    const read = () => get<{ pushes: number }>(`/api/workspaces/${workspace}/insights/close-pushes?board=${board}&card=${card}`)
      .then((r) => live && setPushes(r.pushes), () => null)
    read()
    const again = setTimeout(read, 2500)
    return () => { live = false; clearTimeout(again) }
  }, [workspace, board, card, expectedClose])
  if (!pushes) return null
  return <p class="muted small deal-pushes" data-testid="deal-close-pushes">{ft('pushes', { count: pushes })}</p>
}
