/**
 * Open Yjs documents: one `Y.Doc` per document name, synced through the stock y-websocket
 * provider at `/sync/<name>` (the session cookie authenticates the socket) and kept in IndexedDB
 * (y-indexeddb), so edits made offline survive a reload and merge when the socket is back.
 *
 * Documents are reference-counted: the board view and the deal panel share one board document;
 * the last user to let go closes it after a short grace period (navigating back is instant).
 */
import { computed, signal, type Signal } from '@preact/signals'
import { useEffect, useState } from 'preact/hooks'
import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import { WebsocketProvider } from 'y-websocket'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as encoding from 'lib0/encoding'
import { me } from './session'
import { t } from '../i18n'

export type Status = 'connecting' | 'connected' | 'disconnected' | 'closed'

export interface SyncedDoc {
  readonly name: string
  readonly doc: Y.Doc
  readonly provider: WebsocketProvider
  readonly awareness: awarenessProtocol.Awareness
  readonly status: Signal<Status>
  /** The server's state has been received since the socket (re)opened. */
  readonly synced: Signal<boolean>
  /** What IndexedDB held has been loaded (the document is usable offline). */
  readonly loaded: Signal<boolean>
  /** Local edits made while the socket was down, not yet synced. */
  readonly offlineEdits: Signal<number>
  readonly closedReason: Signal<string | null>
  /** The socket has been open at least once (so a later drop is "offline", not "connecting"). */
  readonly everConnected: Signal<boolean>
}

interface Entry {
  handle: SyncedDoc
  users: number
  release?: ReturnType<typeof setTimeout>
  destroy(): void
}

const open = new Map<string, Entry>()
const GRACE_MS = 15_000

/** Every open document, for the connection indicator. */
export const openDocs = signal<SyncedDoc[]>([])

function syncUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/sync`
}

/**
 * y-websocket re-broadcasts every awareness change it applies, other clients' included; Tandem
 * lets a socket speak only for its own client id (others' entries are a presence violation). So
 * send our own entry only — what the provider meant to say anyway.
 */
function sendOwnAwarenessOnly(provider: WebsocketProvider, doc: Y.Doc): void {
  const p = provider as unknown as { _awarenessUpdateHandler: (changes: Record<string, number[]>) => void }
  provider.awareness.off('update', p._awarenessUpdateHandler)
  p._awarenessUpdateHandler = ({ added, updated, removed }: Record<string, number[]>) => {
    if (![...added, ...updated, ...removed].includes(doc.clientID)) return
    const ws = provider.ws
    if (!provider.wsconnected || !ws || ws.readyState !== ws.OPEN) return
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 1) // y-websocket's messageAwareness
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(provider.awareness, [doc.clientID]))
    ws.send(encoding.toUint8Array(encoder))
  }
  provider.awareness.on('update', p._awarenessUpdateHandler)
}

function create(name: string): Entry {
  const doc = new Y.Doc()
  const user = me.value?.id ?? 'anonymous'
  const persistence = new IndexeddbPersistence(`tandem:${user}:${name}`, doc)
  const provider = new WebsocketProvider(syncUrl(), name, doc, { disableBc: true, maxBackoffTime: 5000, connect: navigator.onLine })
  sendOwnAwarenessOnly(provider, doc)
  const handle: SyncedDoc = {
    name, doc, provider, awareness: provider.awareness,
    status: signal<Status>('connecting'),
    synced: signal(false),
    loaded: signal(false),
    offlineEdits: signal(0),
    closedReason: signal(null),
    everConnected: signal(false),
  }
  provider.on('status', ({ status }) => {
    if (handle.status.peek() !== 'closed') handle.status.value = status
    if (status === 'connected') handle.everConnected.value = true
  })
  provider.on('sync', (synced: boolean) => {
    handle.synced.value = synced
    if (synced) handle.offlineEdits.value = 0
  })
  provider.on('connection-close', () => {
    handle.synced.value = false
  })
  provider.on('closed', ({ code, reason }: { code: number; reason: string }) => {
    handle.status.value = 'closed'
    handle.closedReason.value = code === 4401 ? t('connection.sessionEnded') : reason || t('connection.closed', { code })
  })
  persistence.whenSynced.then(() => (handle.loaded.value = true), () => (handle.loaded.value = true))
  doc.on('update', (_update: Uint8Array, origin: unknown) => {
    if (origin !== provider && origin !== persistence && !handle.synced.peek()) handle.offlineEdits.value++
  })
  return {
    handle,
    users: 0,
    destroy() {
      provider.destroy()
      void persistence.destroy()
      doc.destroy()
    },
  }
}

export function acquire(name: string): SyncedDoc {
  let entry = open.get(name)
  if (!entry) {
    entry = create(name)
    open.set(name, entry)
    openDocs.value = [...openDocs.value, entry.handle]
  }
  clearTimeout(entry.release)
  entry.users++
  return entry.handle
}

export function release(handle: SyncedDoc): void {
  const entry = open.get(handle.name)
  if (!entry || entry.handle !== handle) return
  entry.users--
  if (entry.users > 0) return
  entry.release = setTimeout(() => {
    if (entry.users > 0) return
    open.delete(handle.name)
    openDocs.value = openDocs.value.filter((h) => h !== handle)
    entry.destroy()
  }, GRACE_MS)
}

/** Close everything now (sign-out, switching user). */
export function closeAll(): void {
  for (const entry of open.values()) entry.destroy()
  open.clear()
  openDocs.value = []
}

/** The document `name`, open while the component is mounted. */
export function useSyncedDoc(name: string | null | undefined): SyncedDoc | null {
  const [handle, setHandle] = useState<SyncedDoc | null>(null)
  useEffect(() => {
    if (!name) {
      setHandle(null)
      return
    }
    const h = acquire(name)
    setHandle(h)
    return () => release(h)
  }, [name])
  return handle
}

/** A number that changes after every transaction on `doc`: re-render on any change. */
export function useDocVersion(doc: Y.Doc | null | undefined): number {
  const [version, setVersion] = useState(0)
  useEffect(() => {
    if (!doc) return
    let frame = 0
    const bump = () => {
      if (frame) return
      frame = requestAnimationFrame(() => {
        frame = 0
        setVersion((v) => v + 1)
      })
    }
    doc.on('afterTransaction', bump)
    setVersion((v) => v + 1)
    return () => {
      doc.off('afterTransaction', bump)
      cancelAnimationFrame(frame)
    }
  }, [doc])
  return version
}

export interface Peer {
  clientId: number
  user: { id: string; name: string; color: string }
  openCard?: string | null
  [key: string]: unknown
}

/** Everyone else present on `awareness` (one entry per user: their most recent client). */
export function usePeers(awareness: awarenessProtocol.Awareness | null | undefined): Peer[] {
  const [peers, setPeers] = useState<Peer[]>([])
  useEffect(() => {
    if (!awareness) return
    const read = () => {
      const byUser = new Map<string, Peer>()
      awareness.getStates().forEach((state, clientId) => {
        if (clientId === awareness.clientID || !state?.user?.id) return
        byUser.set(state.user.id, { ...state, clientId, user: state.user } as Peer)
      })
      setPeers([...byUser.values()])
    }
    awareness.on('change', read)
    read()
    return () => awareness.off('change', read)
  }, [awareness])
  return peers
}

/** What the connection pill shows: the worst state among open documents. */
export const connection = computed(() => {
  const docs = openDocs.value
  const online = navigatorOnline.value
  const closed = docs.find((d) => d.status.value === 'closed')
  const edits = docs.reduce((n, d) => n + d.offlineEdits.value, 0)
  if (closed) return { state: 'closed' as const, label: closed.closedReason.value ?? t('connection.disconnected'), edits }
  if (!online || docs.some((d) => d.status.value !== 'connected' && d.everConnected.value)) {
    return { state: 'offline' as const, label: 'Offline', edits }
  }
  if (docs.some((d) => d.status.value === 'connecting' || !d.synced.value)) {
    return { state: 'connecting' as const, label: 'Connecting…', edits }
  }
  return { state: 'live' as const, label: 'Live', edits }
})

export const navigatorOnline = signal(navigator.onLine)
// The browser knows before the socket does: stop trying while offline (edits go on into
// IndexedDB), and reconnect at once when the network is back; sync then merges both ways.
window.addEventListener('online', () => {
  navigatorOnline.value = true
  for (const { handle } of open.values()) if (handle.status.peek() !== 'closed') handle.provider.connect()
})
window.addEventListener('offline', () => {
  navigatorOnline.value = false
  for (const { handle } of open.values()) handle.provider.disconnect()
})
