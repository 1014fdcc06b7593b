/**
 * The board document (SHAPES.md, `board:<uuid>`) read into plain values, and every edit the
 * app makes to it. Each edit is one Yjs transaction; a move sets the card's `stage` and `rank`
 * (and `movedAt` when the stage changes) and nothing else, so concurrent moves of one card end
 * with it in exactly one place and moves of different cards never conflict.
 */
import * as Y from 'yjs'
import { rankBetween, ranksAfter } from './ranks'
import { daysSince, nowIso, uuid } from './format'
import { locale, t } from '../i18n'
import { acquire, release } from './ydocs'

export type BoardKind = 'pipeline' | 'project'

export interface Stage {
  id: string
  name: string
  rank: string
  probability: number | null
  rotDays: number
  kind: 'open' | 'won' | 'lost'
}

export interface Card {
  id: string
  title: string
  stage: string
  rank: string
  value: number
  currency: string
  owner: string
  expectedClose: string
  /** The deal's own win probability (0-100); null: its stage's (issue 19). */
  probability: number | null
  /** pipeline, best_case, commit or omitted; '' when unset (pipeline). */
  forecastCategory: string
  status: string
  lostReason: string
  labels: string[]
  fields: Record<string, unknown>
  description: string
  assignee: string
  due: string
  createdAt: string
  createdBy: string
  updatedAt: string
  movedAt: string
}

export type ActivityType = 'call' | 'meeting' | 'email' | 'todo' | 'deadline'
export const ACTIVITY_TYPES: { value: ActivityType; label: string }[] = [
  { value: 'todo', label: 'To-do' },
  { value: 'call', label: 'Call' },
  { value: 'meeting', label: 'Meeting' },
  { value: 'email', label: 'E-mail' },
  { value: 'deadline', label: 'Deadline' },
]

export interface Activity {
  id: string
  type: ActivityType
  title: string
  assignee: string
  due: string
  done: boolean
  doneAt: string
  card: string
  note: string
  createdAt: string
  createdBy: string
  /** In time (issue 18, docs/calendar.md): `due` as a date-time is the start. */
  end: string
  allDay: boolean
  timeZone: string
  location: string
  outcome: string
  /** Minutes before the start; null: the defaults (a day and 15 minutes before a timed activity). */
  reminders: number[] | null
  /** An RRULE value (FREQ=WEEKLY;BYDAY=MO): repeats at the same local time; '' happens once. */
  recurrence: string
}

export interface BoardState {
  name: string
  kind: BoardKind
  currency: string
  stages: Stage[]
  /** Cards per stage id, in order; cards of an unknown stage are listed under the first stage. */
  columns: Map<string, Card[]>
  cards: Map<string, Card>
  activities: Activity[]
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : String(v))
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v) || 0)
const byRank = <T extends { rank: string; id: string }>(a: T, b: T) =>
  a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0

function plain(value: unknown): unknown {
  return value instanceof Y.AbstractType ? value.toJSON() : value
}

function readStage(id: string, m: Y.Map<unknown>): Stage {
  const kind = str(m.get('kind'))
  return {
    id, name: str(m.get('name')) || t('defaults.untitledStage'), rank: str(m.get('rank')),
    probability: m.has('probability') ? num(m.get('probability')) : null,
    rotDays: num(m.get('rotDays')), kind: kind === 'won' || kind === 'lost' ? kind : 'open',
  }
}

function readCard(id: string, m: Y.Map<unknown>): Card {
  const labels = plain(m.get('labels'))
  const fields = plain(m.get('fields'))
  return {
    id, title: str(m.get('title')), stage: str(m.get('stage')), rank: str(m.get('rank')),
    value: num(m.get('value')), currency: str(m.get('currency')), owner: str(m.get('owner')),
    expectedClose: str(m.get('expectedClose')), status: str(m.get('status')) || 'open',
    probability: typeof m.get('probability') === 'number' ? (m.get('probability') as number) : null,
    forecastCategory: str(m.get('forecastCategory')),
    lostReason: str(m.get('lostReason')),
    labels: Array.isArray(labels) ? labels.map(str) : [],
    fields: fields && typeof fields === 'object' ? (fields as Record<string, unknown>) : {},
    description: str(m.get('description')), assignee: str(m.get('assignee')), due: str(m.get('due')),
    createdAt: str(m.get('createdAt')), createdBy: str(m.get('createdBy')),
    updatedAt: str(m.get('updatedAt')), movedAt: str(m.get('movedAt')),
  }
}

function readActivity(id: string, m: Y.Map<unknown>): Activity {
  return {
    id, type: (str(m.get('type')) || 'todo') as ActivityType, title: str(m.get('title')),
    assignee: str(m.get('assignee')), due: str(m.get('due')), done: m.get('done') === true,
    doneAt: str(m.get('doneAt')), card: str(m.get('card')),
    note: str(m.get('note')), createdAt: str(m.get('createdAt')), createdBy: str(m.get('createdBy')),
    end: str(m.get('end')), allDay: m.get('allDay') === true, timeZone: str(m.get('timeZone')),
    location: str(m.get('location')), outcome: str(m.get('outcome')), reminders: readMinutes(m.get('reminders')),
    recurrence: str(m.get('recurrence')),
  }
}

function readMinutes(value: unknown): number[] | null {
  const list = plain(value)
  return Array.isArray(list) ? list.filter((n): n is number => Number.isInteger(n) && n >= 0) : null
}

function entries(map: Y.Map<unknown>): [string, Y.Map<unknown>][] {
  const out: [string, Y.Map<unknown>][] = []
  map.forEach((value, key) => {
    if (value instanceof Y.Map) out.push([key, value as Y.Map<unknown>])
  })
  return out
}

export const roots = (doc: Y.Doc) => ({
  settings: doc.getMap<unknown>('settings'),
  stages: doc.getMap<Y.Map<unknown>>('stages'),
  cards: doc.getMap<Y.Map<unknown>>('cards'),
  activities: doc.getMap<Y.Map<unknown>>('activities'),
})

export function readBoard(doc: Y.Doc, fallbackKind: BoardKind = 'pipeline'): BoardState {
  const r = roots(doc)
  const stages = entries(r.stages as Y.Map<unknown>).map(([id, m]) => readStage(id, m)).sort(byRank)
  const cards = new Map<string, Card>()
  const columns = new Map<string, Card[]>(stages.map((s) => [s.id, []]))
  for (const [id, m] of entries(r.cards as Y.Map<unknown>)) {
    const card = readCard(id, m)
    cards.set(id, card)
    const column = columns.get(card.stage) ?? columns.get(stages[0]?.id ?? '')
    column?.push(card)
  }
  columns.forEach((list) => list.sort(byRank))
  const activities = entries(r.activities as Y.Map<unknown>).map(([id, m]) => readActivity(id, m))
  const kind = str(r.settings.get('kind'))
  return {
    name: str(r.settings.get('name')),
    kind: kind === 'pipeline' || kind === 'project' ? kind : fallbackKind,
    currency: str(r.settings.get('currency')) || 'EUR',
    stages, columns, cards, activities,
  }
}

export function isRotting(card: Card, stage: Stage | undefined, now = Date.now()): number {
  if (!stage || stage.rotDays <= 0 || card.status !== 'open' || stage.kind !== 'open') return 0
  const idle = daysSince(card.movedAt || card.createdAt, now)
  return idle > stage.rotDays ? idle : 0
}

/** The rank for a card placed at `index` of `column` (the column as it is, without the card). */
export function rankAt(column: Card[], index: number): string {
  const before = column[index - 1]?.rank ?? null
  let after: string | null = null
  for (let i = index; i < column.length; i++) {
    if (before === null || column[i].rank > before) {
      after = column[i].rank
      break
    }
  }
  return rankBetween(before, after)
}

/** Move `cardId` to position `index` of stage `stageId` (index among the other cards of that stage). */
export function moveCard(doc: Y.Doc, board: BoardState, cardId: string, stageId: string, index: number): void {
  const card = roots(doc).cards.get(cardId)
  if (!card) return
  const column = (board.columns.get(stageId) ?? []).filter((c) => c.id !== cardId)
  const rank = rankAt(column, Math.max(0, Math.min(index, column.length)))
  doc.transact(() => {
    const now = nowIso()
    if (card.get('stage') !== stageId) {
      const from = board.stages.find((s) => s.id === card.get('stage'))?.kind
      const to = board.stages.find((s) => s.id === stageId)?.kind ?? 'open'
      card.set('stage', stageId)
      if (board.kind === 'pipeline') {
        card.set('movedAt', now) // rotting counts from here (deals only)
        // a Won / Lost column decides the status; leaving one reopens the deal (SHAPES.md)
        const status = str(card.get('status')) || 'open'
        const next = statusAfterMove(status, from, to)
        if (next !== status) card.set('status', next)
        if (next !== 'lost' && card.has('lostReason')) card.delete('lostReason')
      }
    }
    card.set('rank', rank)
    card.set('updatedAt', now)
  })
}

export function addCard(doc: Y.Doc, board: BoardState, stageId: string, values: Record<string, unknown>, user: string): string {
  const id = uuid()
  const column = board.columns.get(stageId) ?? []
  const now = nowIso()
  doc.transact(() => {
    const m = new Y.Map<unknown>()
    const base: Record<string, unknown> = board.kind === 'pipeline'
      ? { value: 0, currency: board.currency, owner: user, status: 'open' }
      : { status: 'todo' }
    for (const [key, value] of Object.entries({ ...base, ...values })) m.set(key, value)
    if (board.kind === 'pipeline') {
      m.set('labels', new Y.Array<string>())
      m.set('fields', new Y.Map<unknown>())
    }
    m.set('stage', stageId)
    m.set('rank', rankBetween(column[column.length - 1]?.rank ?? null, null))
    m.set('createdAt', now)
    m.set('createdBy', user)
    m.set('updatedAt', now)
    if (board.kind === 'pipeline') m.set('movedAt', now)
    roots(doc).cards.set(id, m)
  })
  return id
}

export function setCard(doc: Y.Doc, cardId: string, values: Record<string, unknown>): void {
  const card = roots(doc).cards.get(cardId)
  if (!card) return
  doc.transact(() => {
    for (const [key, value] of Object.entries(values)) {
      if (card.get(key) !== value) card.set(key, value)
    }
    card.set('updatedAt', nowIso())
  })
}

/** Remove fields of a card (a deal's own probability: back to its stage's). */
export function unsetCard(doc: Y.Doc, cardId: string, keys: string[]): void {
  const card = roots(doc).cards.get(cardId)
  if (!card) return
  doc.transact(() => {
    for (const key of keys) card.delete(key)
    card.set('updatedAt', nowIso())
  })
}

export function setLabels(doc: Y.Doc, cardId: string, labels: string[]): void {
  const card = roots(doc).cards.get(cardId)
  if (!card) return
  doc.transact(() => {
    let array = card.get('labels')
    if (!(array instanceof Y.Array)) {
      array = new Y.Array<string>()
      card.set('labels', array)
    }
    const list = array as Y.Array<string>
    list.delete(0, list.length)
    list.push(labels)
    card.set('updatedAt', nowIso())
  })
}

export function deleteCard(doc: Y.Doc, cardId: string): void {
  roots(doc).cards.delete(cardId)
}

export function addActivity(doc: Y.Doc, values: Partial<Activity>, user: string): string {
  const id = uuid()
  doc.transact(() => {
    const m = new Y.Map<unknown>()
    const all = { type: 'todo', done: false, ...values, createdAt: nowIso(), createdBy: user }
    for (const [key, value] of Object.entries(all)) {
      if (value !== undefined && value !== '') m.set(key, value)
    }
    roots(doc).activities.set(id, m)
  })
  return id
}

export function setActivity(doc: Y.Doc, id: string, values: Partial<Activity>): void {
  const m = roots(doc).activities.get(id)
  if (!m) return
  doc.transact(() => {
    for (const [key, value] of Object.entries(values)) m.set(key, value)
    if (values.done === true) m.set('doneAt', nowIso())
    else if (values.done === false) m.delete('doneAt')
  })
}

export function deleteActivity(doc: Y.Doc, id: string): void {
  roots(doc).activities.delete(id)
}

type StageWord = 'leadIn' | 'contactMade' | 'proposalSent' | 'negotiation' | 'won' | 'todo' | 'doing' | 'done'

/** The usual stages, named in the user's language when they are added (`defaults.*`). */
const DEFAULT_STAGES: Record<BoardKind, (Omit<Stage, 'id' | 'rank' | 'name'> & { word: StageWord })[]> = {
  pipeline: [
    { word: 'leadIn', probability: 10, rotDays: 14, kind: 'open' },
    { word: 'contactMade', probability: 25, rotDays: 14, kind: 'open' },
    { word: 'proposalSent', probability: 50, rotDays: 10, kind: 'open' },
    { word: 'negotiation', probability: 75, rotDays: 7, kind: 'open' },
    { word: 'won', probability: 100, rotDays: 0, kind: 'won' },
  ],
  project: [
    { word: 'todo', probability: null, rotDays: 0, kind: 'open' },
    { word: 'doing', probability: null, rotDays: 0, kind: 'open' },
    { word: 'done', probability: null, rotDays: 0, kind: 'open' },
  ],
}

/**
 * Give an empty board its default stages. The ids are derived from the board id, so two people
 * pressing the button at once write the same keys and the board gets one set of stages.
 */
export function addDefaultStages(doc: Y.Doc, boardId: string, kind: BoardKind): void {
  const defaults = DEFAULT_STAGES[kind]
  const ranks = ranksAfter(null, defaults.length)
  doc.transact(() => {
    defaults.forEach(({ word, ...stage }, i) => {
      const id = `${boardId.slice(0, 24)}${(i + 1).toString(16).padStart(12, '0')}`
      const m = new Y.Map<unknown>()
      for (const [key, value] of Object.entries({ ...stage, name: t(`defaults.${word}`), rank: ranks[i] })) {
        if (value !== null) m.set(key, value)
      }
      roots(doc).stages.set(id, m)
    })
  })
}

/** The stage names the server seeds a new board with (schema/documents/board.json), and their words. */
const SEEDED_STAGES: Record<string, 'leadIn' | 'qualified' | 'proposalMade' | 'negotiation' | 'won' | 'lost' | 'todo' | 'doing' | 'done'> = {
  'Lead in': 'leadIn', Qualified: 'qualified', 'Proposal made': 'proposalMade', Negotiation: 'negotiation',
  Won: 'won', Lost: 'lost', 'To do': 'todo', Doing: 'doing', Done: 'done',
}

/**
 * Name a board's seeded stages in the user's language: the server seeds them in English, and a
 * German team should see "Lead eingegangen", not "Lead in". Only names still exactly as seeded
 * change, so it is safe to run on a board someone already renamed.
 */
export function nameSeededStages(doc: Y.Doc): void {
  const stages = roots(doc).stages
  doc.transact(() => stages.forEach((m) => {
    const word = SEEDED_STAGES[str(m.get('name'))]
    const name = word && t(`defaults.${word}`)
    if (name && name !== m.get('name')) m.set('name', name)
  }))
}

/** After creating a board from the app: its seeded stages in the user's language (nothing to do in English). */
export async function localiseNewBoard(document: string): Promise<void> {
  if (locale.peek() === 'en') return
  const synced = acquire(document)
  try {
    await new Promise<void>((resolve, reject) => {
      if (synced.synced.peek()) return resolve()
      const timer = setTimeout(() => { stop(); reject(new Error(t('tasks.loadTimeout'))) }, 8000)
      const stop = synced.synced.subscribe((done) => {
        if (!done) return
        clearTimeout(timer)
        queueMicrotask(() => stop())
        resolve()
      })
    })
    nameSeededStages(synced.doc)
  } finally {
    release(synced)
  }
}

export function addStage(doc: Y.Doc, board: BoardState, name: string): void {
  const last = board.stages[board.stages.length - 1]
  doc.transact(() => {
    const m = new Y.Map<unknown>()
    m.set('name', name)
    m.set('rank', rankBetween(last?.rank ?? null, null))
    m.set('rotDays', 0)
    m.set('kind', 'open')
    if (board.kind === 'pipeline') m.set('probability', 50)
    roots(doc).stages.set(uuid(), m)
  })
}

export function renameStage(doc: Y.Doc, stageId: string, name: string): void {
  roots(doc).stages.get(stageId)?.set('name', name)
}

// --- stage settings (Settings → Pipelines) ---------------------------------------------------------

export type StageValues = Partial<Pick<Stage, 'name' | 'probability' | 'rotDays' | 'kind'>>

/** Set fields of one stage; `probability: null` removes it (a project column has none). */
export function setStage(doc: Y.Doc, stageId: string, values: StageValues): void {
  const m = roots(doc).stages.get(stageId)
  if (!m) return
  doc.transact(() => {
    for (const [key, value] of Object.entries(values)) {
      if (value === null || value === undefined) m.delete(key)
      else if (m.get(key) !== value) m.set(key, value)
    }
  })
}

/** Put `stageId` at position `index` of the board's stages: only that stage's `rank` changes. */
export function moveStage(doc: Y.Doc, board: BoardState, stageId: string, index: number): void {
  const others = board.stages.filter((s) => s.id !== stageId)
  const at = Math.max(0, Math.min(index, others.length))
  const rank = rankBetween(others[at - 1]?.rank ?? null, others[at]?.rank ?? null)
  roots(doc).stages.get(stageId)?.set('rank', rank)
}

/** The status a deal has after moving into a column of `target` kind (server: status_after_move). */
export function statusAfterMove(status: string, source: Stage['kind'] | undefined, target: Stage['kind']): string {
  if (target === 'won' || target === 'lost') return target
  if (source === 'won' || source === 'lost') return 'open'
  return status
}

/**
 * Delete a stage. Its cards go to the end of `moveTo` (required when it holds cards), their
 * status following the target column's kind, in the same transaction as the deletion.
 */
export function deleteStage(doc: Y.Doc, board: BoardState, stageId: string, moveTo: string | null): void {
  const cards = board.columns.get(stageId) ?? []
  const target = board.stages.find((s) => s.id === moveTo && s.id !== stageId)
  const source = board.stages.find((s) => s.id === stageId)
  if (cards.length && !target) throw new Error(t('settings.moveToRequired'))
  doc.transact(() => {
    if (target) {
      const ranks = ranksAfter(board.columns.get(target.id)?.at(-1)?.rank ?? null, cards.length)
      const now = nowIso()
      cards.forEach((card, i) => {
        const m = roots(doc).cards.get(card.id)
        if (!m) return
        m.set('stage', target.id)
        m.set('rank', ranks[i])
        m.set('updatedAt', now)
        if (board.kind === 'pipeline') {
          m.set('movedAt', now)
          const status = statusAfterMove(card.status, source?.kind, target.kind)
          if (status !== card.status) m.set('status', status)
          if (status !== 'lost' && m.has('lostReason')) m.delete('lostReason')
        }
      })
    }
    roots(doc).stages.delete(stageId)
  })
}

/** What becomes of a closed deal's open activities (the API's `open_activities`). */
export type OpenActivitiesChoice = 'keep' | 'done' | 'delete'

/**
 * Mark a deal's open activities done (each one's note gets `note` on a line of its own) or delete
 * them — the server's `close_open_tasks` / `delete_open_activities` (server/documents/edits.py).
 * Returns how many it changed.
 */
export function settleOpenActivities(doc: Y.Doc, board: BoardState, cardId: string, choice: OpenActivitiesChoice, note = ''): number {
  const open = board.activities.filter((a) => a.card === cardId && !a.done)
  if (choice === 'keep' || !open.length) return 0
  doc.transact(() => {
    const now = nowIso()
    for (const a of open) {
      const entry = roots(doc).activities.get(a.id)
      if (!entry) continue
      if (choice === 'delete') {
        roots(doc).activities.delete(a.id)
        continue
      }
      entry.set('done', true)
      entry.set('doneAt', now)
      if (note) entry.set('note', a.note ? `${a.note}\n${note}` : note)
    }
  })
  return open.length
}

/** Where a deal goes when its status is set (server: stage_for_status); null: it stays. */
export function stageForStatus(board: BoardState, status: string, current: Stage | undefined): Stage | null {
  if (status === 'open') {
    if (!current || current.kind === 'open') return null
    return board.stages.filter((s) => s.kind === 'open').at(-1) ?? null
  }
  return board.stages.find((s) => s.kind === status) ?? null
}

/**
 * Win, lose or reopen a deal as the API does: it moves to the board's first Won / Lost column if
 * there is one (reopening leaves a terminal column for the last open one). Won or lost,
 * `activities` (or the older `closeTasks`: done) settles the deal's open activities in the same
 * transaction — marked done with `note`, or deleted — as the server's `set_status` does
 * (server/documents/edits.py `close_open_tasks`, `delete_open_activities`; keep them alike).
 * Returns how many activities it settled.
 */
export function setStatus(doc: Y.Doc, board: BoardState, cardId: string, status: 'open' | 'won' | 'lost',
  { lostReason = '', closeTasks = false, note = '', activities }: { lostReason?: string; closeTasks?: boolean; note?: string
    activities?: OpenActivitiesChoice } = {}): number {
  const card = board.cards.get(cardId)
  const m = roots(doc).cards.get(cardId)
  if (!card || !m) return 0
  const target = stageForStatus(board, status, board.stages.find((s) => s.id === card.stage))
  const choice = status === 'open' ? 'keep' : activities ?? (closeTasks ? 'done' : 'keep')
  let settled = 0
  doc.transact(() => {
    const now = nowIso()
    if (target && target.id !== card.stage) {
      const column = board.columns.get(target.id) ?? []
      m.set('stage', target.id)
      m.set('rank', rankBetween(column.at(-1)?.rank ?? null, null))
      m.set('movedAt', now)
    }
    m.set('status', status)
    if (status === 'lost' && lostReason) m.set('lostReason', lostReason)
    else m.delete('lostReason')
    m.set('updatedAt', now)
    settled = settleOpenActivities(doc, board, cardId, choice, note) // joins this transaction
  })
  return settled
}
