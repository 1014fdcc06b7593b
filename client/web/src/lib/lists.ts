/**
 * The workspace's pick lists (`GET/PATCH /api/workspaces/{id}/lists`): lost reasons the "mark
 * lost" dialog offers and labels with their colours. Loaded once per workspace and kept in a
 * signal; a change an admin saves replaces it.
 */
import { signal } from '@preact/signals'
import { api, get } from './api'

export type LabelColour = 'grey' | 'red' | 'orange' | 'yellow' | 'green' | 'teal' | 'blue' | 'purple'
export interface LabelItem { name: string; colour: LabelColour }
export interface PickLists { lost_reasons: string[]; labels: LabelItem[]; colours: LabelColour[] }

export const pickLists = signal<PickLists | null>(null)
let loadedFor = ''

export async function loadPickLists(workspace: string, force = false): Promise<PickLists> {
  if (!force && pickLists.value && loadedFor === workspace) return pickLists.value
  const lists = await get<PickLists>(`/api/workspaces/${workspace}/lists`)
  loadedFor = workspace
  pickLists.value = lists
  return lists
}

export async function savePickLists(workspace: string, change: Partial<Pick<PickLists, 'lost_reasons' | 'labels'>>): Promise<PickLists> {
  const lists = await api<PickLists>('PATCH', `/api/workspaces/${workspace}/lists`, change)
  loadedFor = workspace
  pickLists.value = lists
  return lists
}

/**
 * Rename a label everywhere (`POST …/lists/labels/rename`): on the list, keeping its place and
 * colour, on every deal of the workspace's boards and on its contacts. Answers how many of each.
 */
export async function renameLabel(workspace: string, name: string, newName: string): Promise<{ contacts: number; deals: number }> {
  const answer = await api<{ lists: PickLists; contacts: number; deals: number }>(
    'POST', `/api/workspaces/${workspace}/lists/labels/rename`, { name, new_name: newName })
  loadedFor = workspace
  pickLists.value = answer.lists
  return { contacts: answer.contacts, deals: answer.deals }
}

/** The colour of a label by name (case-insensitive), or null for a label the workspace does not list. */
export function labelColour(name: string): LabelColour | null {
  const key = name.trim().toLowerCase()
  return pickLists.value?.labels.find((l) => l.name.toLowerCase() === key)?.colour ?? null
}
