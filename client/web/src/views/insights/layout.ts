/**
 * The insights dashboard's layout: which widgets show, in which order. The workspace shares one
 * layout, the Yjs document `dashboard:<workspace id>` (SHAPES.md, "Dashboard"): `widgets` maps a
 * widget id to `{rank, hidden}`, ordered by (rank, id) as cards are. Members arrange it, viewers
 * read it; every open dashboard follows a saved change live. An empty document is the default
 * layout; widgets it does not name come after the named ones, in the default order.
 */
import * as Y from 'yjs'
import { rankBetween } from '../../lib/ranks'

export const WIDGETS = ['funnel', 'forecast', 'reps', 'goals', 'lostReasons'] as const
export type WidgetId = (typeof WIDGETS)[number]

export interface Placed {
  id: WidgetId
  hidden: boolean
}

function isWidget(id: string): id is WidgetId {
  return (WIDGETS as readonly string[]).includes(id)
}

/** The layout the document holds, every known widget once, in display order. */
export function readLayout(doc: Y.Doc | null): Placed[] {
  const named: { id: WidgetId; rank: string; hidden: boolean }[] = []
  doc?.getMap<Y.Map<unknown>>('widgets').forEach((entry, id) => {
    if (!isWidget(id) || !(entry instanceof Y.Map)) return
    const rank = entry.get('rank')
    named.push({ id, rank: typeof rank === 'string' ? rank : '', hidden: entry.get('hidden') === true })
  })
  named.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const rest = WIDGETS.filter((id) => !named.some((n) => n.id === id)).map((id) => ({ id, hidden: false }))
  return [...named.map(({ id, hidden }) => ({ id, hidden })), ...rest]
}

/** `layout` with the widget at `index` moved one place up (-1) or down (+1); unchanged at an end. */
export function moved(layout: Placed[], index: number, step: -1 | 1): Placed[] {
  const to = index + step
  if (index < 0 || index >= layout.length || to < 0 || to >= layout.length) return layout
  const next = [...layout]
  ;[next[index], next[to]] = [next[to], next[index]]
  return next
}

export function toggled(layout: Placed[], id: WidgetId): Placed[] {
  return layout.map((w) => (w.id === id ? { ...w, hidden: !w.hidden } : w))
}

export function sameLayout(a: Placed[], b: Placed[]): boolean {
  return a.length === b.length && a.every((w, i) => w.id === b[i].id && w.hidden === b[i].hidden)
}

/**
 * Save `layout`, arranged from `base` (what the document held when arranging began), in one
 * transaction, writing only what the arranger changed: a widget they moved gets a rank between its
 * new neighbours, one they hid or showed its `hidden`. Everything else keeps what the document holds
 * now, so a colleague's change saved meanwhile to another widget survives (last writer wins per widget).
 */
export function saveLayout(doc: Y.Doc, layout: Placed[], base: Placed[] = readLayout(doc)): void {
  const widgets = doc.getMap<Y.Map<unknown>>('widgets')
  const rankOf = (id: WidgetId): string | null => {
    const rank = widgets.get(id)?.get('rank')
    return typeof rank === 'string' ? rank : null
  }
  // The longest run of widgets that kept their relative order keeps its ranks; the rest are placed anew
  const kept = new Set(keptInOrder(base.map((w) => w.id), layout.map((w) => w.id)).filter((id) => rankOf(id) !== null))
  const wasHidden = new Map(base.map((w) => [w.id, w.hidden]))
  doc.transact(() => {
    const ranks = new Map<WidgetId, string>([...kept].map((id) => [id, rankOf(id)!]))
    layout.forEach((w, i) => {
      if (ranks.has(w.id)) return
      const before = i > 0 ? ranks.get(layout[i - 1].id) ?? null : null
      const after = layout.slice(i + 1).map((n) => ranks.get(n.id)).find((r) => r !== undefined) ?? null
      ranks.set(w.id, rankBetween(before, after))
    })
    for (const w of layout) {
      const moved = !kept.has(w.id)
      const toggled = wasHidden.get(w.id) !== w.hidden
      if (!moved && !toggled) continue
      let entry = widgets.get(w.id)
      if (!(entry instanceof Y.Map)) {
        entry = new Y.Map<unknown>()
        widgets.set(w.id, entry)
        entry.set('hidden', w.hidden)
      }
      if (moved) entry.set('rank', ranks.get(w.id)!)
      if (toggled) entry.set('hidden', w.hidden)
    }
  })
}

/** The ids of `after` that form a longest common subsequence with `before` (their order kept). */
function keptInOrder(before: WidgetId[], after: WidgetId[]): WidgetId[] {
  const n = before.length, m = after.length
  const table = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i][j] = before[i] === after[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1])
    }
  }
  const kept: WidgetId[] = []
  for (let i = 0, j = 0; i < n && j < m;) {
    if (before[i] === after[j]) {
      kept.push(after[j])
      i++
      j++
    } else if (table[i + 1][j] >= table[i][j + 1]) i++
    else j++
  }
  return kept
}
