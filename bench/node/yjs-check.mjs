// Checks that the C load generator's edits are exactly what a real Y.Doc produces.
//   node yjs-check.mjs path/to/loadgen
// `loadgen emit` prints N edits (hex) of writer 7 with client id 12345; a Y.Doc with the same
// client id makes the same Y.Map sets here. Every byte must match, and applying the edits to a
// fresh Y.Doc must give the last value.
import { execFileSync } from 'node:child_process'
import * as Y from 'yjs'

const loadgen = process.argv[2]
const count = 3000
const lines = execFileSync(loadgen, ['emit', `count=${count}`, 'client=12345', 'writer=7'], { encoding: 'utf8' })
  .trim().split('\n')
const doc = new Y.Doc()
doc.clientID = 12345
const map = doc.getMap('bench')
let last = null
doc.on('update', (u) => { last = Buffer.from(u).toString('hex') })
const check = new Y.Doc()
for (let seq = 0; seq < count; seq++) {
  map.set('w7', `§§T7.${seq}§`)
  if (lines[seq] !== last) {
    console.error(`edit ${seq} differs from Yjs:\n  loadgen ${lines[seq]}\n  yjs     ${last}`)
    process.exit(1)
  }
  Y.applyUpdate(check, Buffer.from(lines[seq], 'hex'))
}
if (check.getMap('bench').get('w7') !== `§§T7.${count - 1}§`) {
  console.error('applying the edits did not give the last value')
  process.exit(1)
}
console.log(`load generator edits: ${count} of ${count} byte-identical to Yjs ${JSON.parse(execFileSync('node', ['-p', "JSON.stringify(require('yjs/package.json').version)"], { encoding: 'utf8' }))}`)
