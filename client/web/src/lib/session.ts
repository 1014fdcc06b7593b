/**
 * Who is signed in, the workspaces they reach, and the one they are looking at.
 *
 * `me` is undefined while unknown (first load), null when signed out. The current workspace
 * comes from the URL (`/w/<id>/…`); the last one used is remembered per user.
 */
import { computed, signal } from '@preact/signals'
import { ApiError, get, post, type Schemas } from './api'
import { colorFor } from './format'
import { t } from '../i18n'

/** The signed-in user; `locale` is the language they chose (kept by the server), null if never. */
export type User = Schemas['Me']
export type Workspace = Schemas['Workspace']
/** A workspace role, or `guest`: someone a board was shared with. */
export type Role = Workspace['role']
export type Member = Schemas['Member']
export type Board = Schemas['Board']

export const me = signal<User | null | undefined>(undefined)
export const workspaces = signal<Workspace[]>([])
export const workspaceId = signal<string | null>(null)
export const members = signal<Member[]>([])
export const boards = signal<Board[]>([])

export const workspace = computed(() => workspaces.value.find((w) => w.id === workspaceId.value) ?? null)
export const role = computed<Role | null>(() => workspace.value?.role ?? null)
export const isGuest = computed(() => role.value === 'guest')
export const canEdit = computed(() => role.value !== null && role.value !== 'viewer' && role.value !== 'guest')
export const isAdmin = computed(() => role.value === 'owner' || role.value === 'admin')

/** The awareness identity: the server re-stamps id and name from the session, keeping `color`. */
export const identity = computed(() => {
  const user = me.value
  return user ? { id: user.id, name: user.name, color: colorFor(user.id) } : null
})

export function memberName(id: string | null | undefined): string {
  if (!id) return ''
  if (id === me.value?.id) return me.value.name
  return members.value.find((m) => m.user.id === id)?.user.name ?? t('common.someone')
}

export async function loadSession(): Promise<void> {
  try {
    me.value = await get<User>('/api/me')
    await loadWorkspaces()
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) me.value = null
    else throw error
  }
}

let latestWorkspaces: Promise<Workspace[]> | null = null

/** The caller's workspaces, read anew. The latest read wins: signing up from an invitation reads them
 * (as the session starts) and again once the invitation is accepted, and the first answer arriving
 * last must not put back a list without the workspace just joined. */
export function loadWorkspaces(): Promise<Workspace[]> {
  const asked: Promise<Workspace[]> = get<Workspace[]>('/api/workspaces').then((found) => {
    if (latestWorkspaces !== asked) return latestWorkspaces!  // a newer read is under way: its answer
    workspaces.value = found
    return found
  })
  latestWorkspaces = asked
  return asked
}

export function lastWorkspace(): string | null {
  const remembered = me.value ? localStorage.getItem(`tandem:last-workspace:${me.value.id}`) : null
  return workspaces.value.find((w) => w.id === remembered)?.id ?? workspaces.value[0]?.id ?? null
}

/** Switch to `id`: its members (for names and assignees) and its boards. */
export async function enterWorkspace(id: string): Promise<void> {
  if (workspaceId.value === id) return
  workspaceId.value = id
  members.value = []
  boards.value = []
  if (me.value) localStorage.setItem(`tandem:last-workspace:${me.value.id}`, id)
  await Promise.all([refreshMembers(), refreshBoards()])
}

export async function refreshMembers(): Promise<void> {
  const id = workspaceId.value
  if (!id || role.value === 'guest') return
  try {
    const list = await get<Member[]>(`/api/workspaces/${id}/members`)
    if (workspaceId.value === id) members.value = list
  } catch {
    /* a guest, or the workspace went away: names fall back to "Someone" */
  }
}

export async function refreshBoards(): Promise<void> {
  const id = workspaceId.value
  if (!id) return
  const list = await get<Board[]>(`/api/workspaces/${id}/boards`)
  // archived boards are kept but hidden from the lists (Settings → Boards restores them)
  if (workspaceId.value === id) boards.value = list.filter((b) => !(b as { archived_at?: string | null }).archived_at)
}

export async function signIn(email: string, password: string): Promise<void> {
  const session = await post<Schemas['Session']>('/api/auth/login', { email, password })
  me.value = session.user
  await loadWorkspaces()
}

export async function signUp(name: string, email: string, password: string): Promise<void> {
  const session = await post<Schemas['Session']>('/api/auth/signup', { name, email, password })
  me.value = session.user
  await loadWorkspaces()
}

export async function signOut(): Promise<void> {
  try {
    await post('/api/auth/logout')
  } finally {
    me.value = null
    workspaces.value = []
    workspaceId.value = null
    location.assign('/signin')
  }
}
