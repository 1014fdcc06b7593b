/**
 * Likely duplicate contacts (`GET /api/workspaces/{id}/contacts/duplicates`): a list of pairs,
 * the two side by side, a choice per field of which value survives, and the merge
 * (`POST /api/contacts/{kept}/merge`). The server combines e-mails, phones and labels of both and
 * keeps the kept contact's other values (filling its blanks from the other); where the user chose
 * the other's value, the kept contact is then patched with it.
 */
import { useEffect, useState } from 'preact/hooks'
import { get, patch, post } from '../../lib/api'
import { canEdit, memberName, workspaceId } from '../../lib/session'
import type { Contact } from '../../lib/records'
import { Avatar, Empty, Spinner, announce, toastError } from '../../components/ui'
import { rt, t, type RecordWord } from '../../i18n'
import './records.css'

interface Pair { a: string; b: string; reason: string }
type Side = 'a' | 'b'
const CHOSEN = ['first_name', 'last_name', 'job_title', 'organisation', 'owner_id'] as const
type Chosen = (typeof CHOSEN)[number]
const LABEL: Record<Chosen, RecordWord> = {
  first_name: 'firstName', last_name: 'lastName', job_title: 'jobTitle', organisation: 'organisation', owner_id: 'owner',
}

function reasonWord(reason: string): RecordWord {
  return reason.includes('email') ? 'reason_email' : reason.includes('phone') ? 'reason_phone' : 'reason_name'
}

function shown(c: Contact, field: Chosen): string {
  if (field === 'organisation') return c.organisation?.name ?? ''
  if (field === 'owner_id') return c.owner_id ? memberName(c.owner_id) : ''
  return c[field] ?? ''
}

export function DuplicatesPage() {
  const ws = workspaceId.value!
  const [pairs, setPairs] = useState<Pair[] | null>(null)
  const [people, setPeople] = useState<Record<string, Contact>>({})
  const [current, setCurrent] = useState<Pair | null>(null)
  const [error, setError] = useState('')
  async function load() {
    try {
      const found = await get<Pair[]>(`/api/workspaces/${ws}/contacts/duplicates`)
      const ids = [...new Set(found.flatMap((p) => [p.a, p.b]))]
      const records = await Promise.all(ids.map((id) => get<Contact>(`/api/contacts/${id}`).catch(() => null)))
      const byId = Object.fromEntries(records.filter((r): r is Contact => r !== null).map((r) => [r.id, r]))
      const live = found.filter((p) => byId[p.a] && byId[p.b])
      setPeople(byId)
      setPairs(live)
      setCurrent((old) => live.find((p) => p.a === old?.a && p.b === old?.b) ?? live[0] ?? null)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }
  useEffect(() => { void load() }, [ws])
  return (
    <div class="page-wide">
      <nav class="crumbs" aria-label={t('contacts.breadcrumb')}><a href={`/w/${ws}/contacts`}>{rt('backToContacts')}</a></nav>
      <header class="page-header"><div class="page-header__title"><h1>{rt('duplicatesTitle')}</h1></div></header>
      <p class="muted intro">{rt('duplicatesIntro')}</p>
      {error ? <Empty title={error} /> : pairs === null ? <Spinner /> : pairs.length === 0 ? <Empty title={rt('duplicatesNone')} icon="✓" /> : (
        <div class="dupes">
          <section class="card-surface dupes__list" aria-labelledby="dupes-pairs">
            <h2 id="dupes-pairs">{rt('pairs')} <span class="muted">({pairs.length})</span></h2>
            <ul role="list" data-testid="duplicate-pairs">
              {pairs.map((p) => {
                const on = current?.a === p.a && current?.b === p.b
                return (
                  <li key={`${p.a}:${p.b}`}>
                    <button class={`dupes__pair${on ? ' is-on' : ''}`} aria-pressed={on} onClick={() => setCurrent(p)}>
                      <strong>{people[p.a].name}</strong> · <strong>{people[p.b].name}</strong>
                      <span class="muted small block">{rt(reasonWord(p.reason))}</span>
                    </button>
                  </li>
                )
              })}
            </ul>
          </section>
          {current ? <Compare key={`${current.a}:${current.b}`} a={people[current.a]} b={people[current.b]} onMerged={load} />
            : <p class="muted">{rt('notPair')}</p>}
        </div>
      )}
    </div>
  )
}

function Compare({ a, b, onMerged }: { a: Contact; b: Contact; onMerged: () => void }) {
  const [keep, setKeep] = useState<Side>('a')
  const [choice, setChoice] = useState<Record<Chosen, Side>>(() => {
    // the kept contact's value, unless it has none and the other has one (as the server would)
    const start = {} as Record<Chosen, Side>
    for (const f of CHOSEN) start[f] = !shown(a, f) && shown(b, f) ? 'b' : 'a'
    return start
  })
  const [busy, setBusy] = useState(false)
  const sides = { a, b }
  const kept = sides[keep]
  const other = sides[keep === 'a' ? 'b' : 'a']
  function keepSide(side: Side) {
    setKeep(side)
    const next = {} as Record<Chosen, Side>
    const own = sides[side]
    const rest = sides[side === 'a' ? 'b' : 'a']
    for (const f of CHOSEN) next[f] = !shown(own, f) && shown(rest, f) ? (side === 'a' ? 'b' : 'a') : side
    setChoice(next)
  }
  async function merge() {
    setBusy(true)
    try {
      await post<Contact>(`/api/contacts/${kept.id}/merge`, { merge: [other.id] })
      const changes: Record<string, unknown> = {}
      for (const f of CHOSEN) {
        if (choice[f] === keep || shown(sides[choice[f]], f) === shown(kept, f)) continue
        const from = sides[choice[f]]
        if (f === 'organisation') changes.organisation_id = from.organisation?.id ?? null
        else changes[f] = from[f]
      }
      if (Object.keys(changes).length) await patch(`/api/contacts/${kept.id}`, changes)
      announce(rt('merged', { other: other.name, name: kept.name }))
      onMerged()
    } catch (e) {
      toastError(e)
    } finally {
      setBusy(false)
    }
  }
  const heading = (side: Side) => {
    const c = sides[side]
    return (
      <th scope="col">
        <label class="dupes__keep">
          <input type="radio" name="keep" checked={keep === side} onChange={() => keepSide(side)} />
          <span class="person"><Avatar id={c.id} name={c.name} size={24} /><a href={`/w/${workspaceId.value}/contacts/${c.id}`}>{c.name}</a></span>
        </label>
        <span class={`tag ${keep === side ? 'tag--won' : 'tag--quiet'}`}>{keep === side ? rt('kept') : rt('mergedAway')}</span>
      </th>
    )
  }
  const cell = (f: Chosen, side: Side) => {
    const value = shown(sides[side], f)
    return (
      <td>
        <label class="dupes__choice">
          <input type="radio" name={`pick-${f}`} checked={choice[f] === side} disabled={!canEdit.value}
            aria-label={`${rt(LABEL[f])}: ${value || rt('empty')}`} onChange={() => setChoice({ ...choice, [f]: side })} />
          <span class={value ? '' : 'muted'}>{value || rt('empty')}</span>
        </label>
      </td>
    )
  }
  const both = (items: string[]) => items.length ? items.join(', ') : <span class="muted">{rt('empty')}</span>
  return (
    <section class="card-surface dupes__compare" aria-labelledby="dupes-compare">
      <h2 id="dupes-compare">{rt('compare', { a: a.name, b: b.name })}</h2>
      <p class="muted small">{rt('keep')}</p>
      <div class="table-wrap">
        <table class="table dupes__table" data-testid="duplicate-compare">
          <thead><tr><th scope="col">{rt('field')}</th>{heading('a')}{heading('b')}</tr></thead>
          <tbody>
            {CHOSEN.map((f) => <tr key={f}><th scope="row">{rt(LABEL[f])}</th>{cell(f, 'a')}{cell(f, 'b')}</tr>)}
            {(['emails', 'phones', 'labels'] as const).map((f) => (
              <tr key={f}><th scope="row">{rt(f)}</th><td>{both(a[f])}</td><td>{both(b[f])}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted small">{rt('emails')}, {rt('phones')}, {rt('labels')}: {rt('combined')}.</p>
      {canEdit.value && <div class="row"><button class="btn btn--primary" disabled={busy} onClick={merge}>{rt('merge', { name: kept.name })}</button></div>}
    </section>
  )
}
