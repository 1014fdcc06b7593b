/**
 * Expertise (docs/expertise.md): the workspace's expertise tags and each member's, read once per
 * workspace into a signal (`GET /api/workspaces/{id}/expertise`) and re-read after a change; and
 * "who should take this" (`GET …/expertise/suggest`), its reasons worded in the reader's language.
 */
import { signal } from '@preact/signals'
import { get, type Schemas } from './api'
import { scoped } from '../i18n'
import { todayIso } from './format'

export type ExpertiseTag = Schemas['ExpertiseTag']
export type Overview = Schemas['ExpertiseOverview']
export type Suggestions = Schemas['Suggestions']
export type Suggested = Schemas['Suggested']

const et = scoped('expertise')
export const expertise = signal<{ workspace: string; overview: Overview } | null>(null)

/** The workspace's tags and members' tags (read once per workspace unless `fresh`). */
export async function loadExpertise(workspace: string, fresh = false): Promise<Overview> {
  const known = expertise.peek()
  if (known && known.workspace === workspace && !fresh) return known.overview
  const overview = await get<Overview>(`/api/workspaces/${workspace}/expertise`)
  expertise.value = { workspace, overview }
  return overview
}

/** A member's tags, by name, in the list's order. */
export function tagsOf(user: string): ExpertiseTag[] {
  const overview = expertise.value?.overview
  const ids = overview?.members.find((m) => m.user === user)?.tags ?? []
  return (overview?.tags ?? []).filter((tag) => ids.includes(tag.id))
}

export interface SuggestQuery { tags?: string[]; board?: string; card?: string; limit?: number }

export function suggest(workspace: string, query: SuggestQuery): Promise<Suggestions> {
  const q = new URLSearchParams({ today: todayIso() })
  if (query.tags?.length) q.set('tags', query.tags.join(','))
  if (query.board && query.card) { q.set('board', query.board); q.set('card', query.card) }
  if (query.limit) q.set('limit', String(query.limit))
  return get<Suggestions>(`/api/workspaces/${workspace}/expertise/suggest?${q}`)
}

const hours = (h: number) => new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(h)

/** Why them, in the reader's language: "has Französisch, Maschinenbau · 12 of 40 h booked". */
export function reasonOf(s: Suggested): string {
  const parts = [et('reasonHas', { tags: s.has.join(', ') })]
  if (s.lacks.length) parts.push(et('reasonLacks', { tags: s.lacks.join(', ') }))
  parts.push(et('reasonHours', { hours: hours(s.hours), capacity: hours(s.capacity) }))
  if (s.overdue) parts.push(et('reasonOverdue', { count: s.overdue }))
  return parts.join(' · ')
}
