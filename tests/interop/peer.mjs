// A stock npm `yjs` + `y-websocket` client, driven over stdin/stdout by the interop tests.
//
//   node peer.mjs ws://127.0.0.1:PORT DOCUMENT
//
// It connects exactly as a browser app does — `new WebsocketProvider(origin + '/sync', document,
// ydoc)` — except that Node 20 has no global WebSocket, so the `ws` package is passed as
// `WebSocketPolyfill`. The polyfill is subclassed only to *record* the first varuint (the message
// type) of every frame the provider receives, before the provider sees it.
//
// Protocol: one JSON object per line on stdin, one JSON object per line on stdout.
//   -> {"id": 1, "op": "set", "map": "m", "key": "k", "value": <json>}
//   <- {"id": 1, "ok": true, ...result}            or {"id": 1, "ok": false, "error": "..."}
// Unsolicited lines carry "event" instead of "id":
//   {"event": "ready", "clientID": n}   once, at start
//   {"event": "change"}                 after any frame received, and any document, awareness or
//                                       sync-state change
//   {"event": "disconnect", code, reason} the server closed the socket (or it dropped)
// Ops: set, delete, insert, delete_text, dump, awareness, peers, synced, status, received,
//      disconnect, connect, close. Nothing else is ever written to stdout (console goes to stderr).

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import * as readline from 'node:readline'

const [serverUrl, documentName] = process.argv.slice(2)
if (!serverUrl || !documentName) {
  process.stderr.write('usage: node peer.mjs ws://host:port DOCUMENT\n')
  process.exit(2)
}

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

// Everything the provider logs (e.g. 'Unable to compute message' for an unknown type) is kept
// for the tests and goes to stderr, never to the JSON stdout.
const logged = []
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = (...args) => {
    const text = args.map((a) => (typeof a === 'string' ? a : String(a))).join(' ')
    logged.push({ level, text })
    process.stderr.write(`[${level}] ${text}\n`)
  }
}

// --- what the provider received -----------------------------------------------------------

const receivedTypes = new Map() // message type -> count
let textFrames = 0
let undecodable = 0
const closes = [] // {code, reason} of every socket close, whoever closed it
const disconnects = [] // {code, reason} of every close the provider did not ask for
let connections = 0 // how many times the provider reached 'connected'

// The message type: the frame's first varuint (lib0 / y-protocols encoding).
const readType = (bytes) => {
  let value = 0
  for (let i = 0, mult = 1; i < bytes.length && i < 8; i++, mult *= 128) {
    value += (bytes[i] & 0x7f) * mult
    if (bytes[i] < 0x80) return value
  }
  throw new Error('truncated varuint')
}

class RecordingWebSocket extends WebSocket {
  constructor (...args) {
    super(...args)
    // Registered before the provider assigns `onmessage`, so it runs first.
    this.addEventListener('message', (event) => {
      const data = event.data
      if (typeof data === 'string') {
        textFrames++
        return
      }
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      try {
        const type = readType(bytes)
        receivedTypes.set(type, (receivedTypes.get(type) || 0) + 1)
      } catch {
        undecodable++
      }
      emit({ event: 'change' }) // the provider handles the frame right after this listener
    })
    this.addEventListener('close', (event) => {
      closes.push({ code: event.code, reason: event.reason })
    })
  }
}

// --- the client, as an app would write it ---------------------------------------------------

const ydoc = new Y.Doc()
const provider = new WebsocketProvider(serverUrl.replace(/\/+$/, '') + '/sync', documentName, ydoc, {
  WebSocketPolyfill: RecordingWebSocket
})

const changed = () => emit({ event: 'change' })
ydoc.on('update', changed)
provider.awareness.on('change', changed)
provider.on('sync', changed)
provider.on('status', (event) => {
  if (event.status === 'connected') connections++
  changed()
})
// `event` is null when the provider closed the socket itself (disconnect(), destroy(), or its
// 30 s no-message watchdog); otherwise the server closed it or the connection dropped.
provider.on('connection-close', (event) => {
  if (event != null) {
    disconnects.push({ code: event.code, reason: event.reason })
    emit({ event: 'disconnect', code: event.code, reason: event.reason })
  }
})

// --- commands ---------------------------------------------------------------------------------

const sharedJSON = (names, kind) => {
  const out = {}
  for (const name of names) {
    out[name] = kind === 'map' ? ydoc.getMap(name).toJSON() : ydoc.getText(name).toString()
  }
  return out
}

const waitFor = (predicate, timeoutMs) => new Promise((resolve, reject) => {
  if (predicate()) return resolve()
  const check = () => {
    if (predicate()) {
      cleanup()
      resolve()
    }
  }
  const timer = setTimeout(() => {
    cleanup()
    reject(new Error(`condition not met within ${timeoutMs} ms`))
  }, timeoutMs)
  const cleanup = () => {
    clearTimeout(timer)
    provider.off('sync', check)
    provider.off('status', check)
  }
  provider.on('sync', check)
  provider.on('status', check)
})

const ops = {
  set ({ map, key, value }) {
    ydoc.getMap(map).set(key, value)
  },
  delete ({ map, key }) {
    ydoc.getMap(map).delete(key)
  },
  insert ({ text, index, value }) {
    ydoc.getText(text).insert(index, value)
  },
  delete_text ({ text, index, length }) {
    ydoc.getText(text).delete(index, length)
  },
  dump ({ maps = [], texts = [] }) {
    return { maps: sharedJSON(maps, 'map'), texts: sharedJSON(texts, 'text') }
  },
  awareness ({ state }) {
    provider.awareness.setLocalState(state)
  },
  peers () {
    const peers = {}
    for (const [clientID, state] of provider.awareness.getStates()) {
      if (clientID !== ydoc.clientID) peers[clientID] = state
    }
    return { peers }
  },
  async synced ({ timeout_ms: timeoutMs = 10000 }) {
    await waitFor(() => provider.synced, timeoutMs)
  },
  status () {
    return {
      clientID: ydoc.clientID,
      connected: provider.wsconnected,
      synced: provider.synced,
      url: provider.url
    }
  },
  received () {
    const known = new Set(Object.keys(provider.messageHandlers).map(Number))
    const types = Object.fromEntries(receivedTypes)
    const unknown = [...receivedTypes.keys()].filter((type) => !known.has(type))
    return { types, unknown, known: [...known], textFrames, undecodable, logged, closes, disconnects, connections }
  },
  disconnect () {
    provider.disconnect()
  },
  connect () {
    provider.connect()
  },
  async close () {
    // What a tab does when the app unmounts: destroy() says goodbye (awareness null) and closes.
    const ws = provider.ws
    provider.destroy()
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise((resolve) => {
        ws.once('close', resolve)
        setTimeout(resolve, 2000)
      })
    }
    setImmediate(() => process.exit(0))
  }
}

const lines = readline.createInterface({ input: process.stdin })
let queue = Promise.resolve()
lines.on('line', (line) => {
  if (!line.trim()) return
  // Commands run one at a time, in order.
  queue = queue.then(async () => {
    let command
    try {
      command = JSON.parse(line)
    } catch (err) {
      emit({ id: null, ok: false, error: `not JSON: ${line}` })
      return
    }
    const op = ops[command.op]
    if (!op) {
      emit({ id: command.id, ok: false, error: `unknown op ${JSON.stringify(command.op)}` })
      return
    }
    try {
      const result = await op(command)
      emit({ id: command.id, ok: true, ...(result || {}) })
    } catch (err) {
      emit({ id: command.id, ok: false, error: String(err && err.stack ? err.stack : err) })
    }
  })
})
// The test process went away: leave as a closed tab would.
lines.on('close', () => {
  queue.then(() => {
    provider.destroy()
    setTimeout(() => process.exit(0), 100)
  })
})

emit({ event: 'ready', clientID: ydoc.clientID })
