/**
 * The assignee picker with "Suggested" colleagues first (docs/expertise.md): for a deal, the tags
 * wanted are those its labels and custom field values name (the server reads them: `board` and
 * `card`), or what the reader ticks under "Needs". The suggestions come first in the select (an
 * optgroup) and as buttons under it saying why ("has Französisch · 12 of 40 h booked"); a button
 * assigns. Native select, details and buttons: keyboard reachable. Without expertise tags in the
 * workspace it is a plain person select.
 */
import { useEffect, useState } from 'preact/hooks'
import { expertise, loadExpertise, reasonOf, suggest, type Suggestions } from '../lib/expertise'
import { me, memberName, members, workspaceId } from '../lib/session'
import { scoped, t } from '../i18n'
import '../views/settings/expertise.css'

const et = scoped('expertise')

export function SuggestedPersonSelect({ id, label, value, onChange, disabled, board, card, compact, needs, nobody }: {
  id?: string; label: string; value: string; onChange: (id: string) => void; disabled?: boolean; board?: string; card?: string | null
  compact?: boolean // the select alone, asking when focused (a row of the team to-do)
  needs?: string[] // tags wanted whatever the deal names (the team to-do's expertise filter)
  nobody?: string // the empty option's words
}) {
  const ws = workspaceId.value
  const [armed, setArmed] = useState(!compact)
  const [picked, setPicked] = useState<string[] | null>(needs?.length ? needs : null) // null: what the deal names
  useEffect(() => { if (needs) setPicked(needs.length ? needs : null) }, [needs?.join(',')])
  const [answer, setAnswer] = useState<Suggestions | null>(null)
  useEffect(() => { if (ws) loadExpertise(ws).catch(() => undefined) }, [ws])
  const tags = expertise.value?.workspace === ws ? expertise.value?.overview.tags ?? [] : []
  useEffect(() => {
    if (!ws || !armed || tags.length === 0 || (picked === null && !(board && card))) { setAnswer(null); return }
    let current = true
    const query = picked === null ? { board, card: card ?? undefined } : { tags: picked }
    if (picked !== null && picked.length === 0) { setAnswer(null); return }
    let timer = 0
    const ask = (tries: number) => suggest(ws, query).then((a) => current && setAnswer(a), () => {
      if (!current) return
      setAnswer(null)
      if (tries > 0) timer = window.setTimeout(() => ask(tries - 1), 1000) // a deal just made is read a moment later
    })
    void ask(picked === null ? 5 : 0)
    return () => { current = false; window.clearTimeout(timer) }
  }, [ws, board, card, tags.length, picked?.join(','), armed])

  const suggested = answer?.suggestions ?? []
  const wanted = picked ?? (answer?.wanted.map((w) => w.id) ?? [])
  const others = members.value.filter((m) => (m.role !== 'viewer' || m.user.id === value) && !suggested.some((s) => s.person === m.user.id))
  const known = members.value.some((m) => m.user.id === value)
  const name = (uid: string, fallback: string) => (uid === me.value?.id ? t('common.me', { name: fallback }) : fallback)
  const toggle = (tag: string) => setPicked(wanted.includes(tag) ? wanted.filter((x) => x !== tag) : [...wanted, tag])
  return (
    <span class="suggested-assignee">
      <select id={id} aria-label={label} value={value} disabled={disabled} onFocus={() => setArmed(true)}
        onPointerDown={() => setArmed(true)} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        <option value="">{nobody ?? t('common.nobody')}</option>
        {suggested.length > 0 && (
          <optgroup label={et('suggested')}>
            {suggested.map((s) => <option key={s.person} value={s.person}>{`${name(s.person, s.name)} — ${reasonOf(s)}`}</option>)}
          </optgroup>
        )}
        <optgroup label={et('everyone')}>
          {others.map((m) => <option key={m.user.id} value={m.user.id}>{name(m.user.id, m.user.name)}</option>)}
        </optgroup>
        {value && !known && <option value={value}>{memberName(value)}</option>}
      </select>
      {tags.length > 0 && !disabled && !compact && (
        <span class="expertise-needs" data-testid="expertise-needs">
          <details>
            <summary>{et('needs')}: {wanted.length ? tags.filter((x) => wanted.includes(x.id)).map((x) => x.name).join(', ') : '—'}</summary>
            <fieldset class="expertise-edit">
              <legend>{et('needsLabel')}</legend>
              {tags.map((tag) => (
                <label key={tag.id} class="checkbox">
                  <input type="checkbox" checked={wanted.includes(tag.id)} onChange={() => toggle(tag.id)} />{tag.name}
                </label>
              ))}
            </fieldset>
          </details>
        </span>
      )}
      {answer && wanted.length > 0 && !compact && (
        <div class="expertise-suggestions" data-testid="expertise-suggestions">
          <span class="muted small">{suggested.length === 0 ? et('suggestedNone', { tags: answer.wanted.map((w) => w.name).join(', ') })
            : answer.complete ? et('suggested') : et('mostOnly')}</span>
          {suggested.length > 0 && (
            <ul class="expertise-suggested" aria-label={et('suggested')}>
              {suggested.map((s) => (
                <li key={s.person}>
                  <button type="button" aria-pressed={value === s.person} data-testid="suggested-person" onClick={() => onChange(s.person)}>
                    <strong>{name(s.person, s.name)}</strong><span class="muted">{reasonOf(s)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </span>
  )
}
