/**
 * The workspace's permission levels (`GET/PUT /api/workspaces/{id}/permissions`): who may delete
 * records and who may export, and what the signed-in person may do under them. The server decides
 * every request; this only lets the app hide or explain buttons before anyone presses them.
 */
import { signal } from '@preact/signals'
import { api, get, type Schemas } from './api'

export type Permissions = Schemas['Permissions']
export type DeleteLevel = Permissions['delete']
export type ExportLevel = Permissions['export']

export const permissions = signal<Permissions | null>(null)
let loadedFor: string | null = null

export async function refreshPermissions(workspace: string): Promise<void> {
  if (loadedFor !== workspace) permissions.value = null
  loadedFor = workspace
  const found = await get<Permissions>(`/api/workspaces/${workspace}/permissions`)
  if (loadedFor === workspace) permissions.value = found
}

export async function savePermissions(workspace: string, changes: Partial<Pick<Permissions, 'delete' | 'export'>>): Promise<void> {
  permissions.value = await api<Permissions>('PUT', `/api/workspaces/${workspace}/permissions`, changes)
}

/** May the signed-in person delete a record owned by `owner`? (`null` while unknown: allow; the server decides.) */
export function mayDelete(owner: string | null, me: string | undefined): boolean {
  const you = permissions.value?.you
  if (!you) return true
  return you.delete === 'all' || (you.delete === 'own' && owner !== null && owner === me)
}
