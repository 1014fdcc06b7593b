/**
 * A new activity outside a deal (issue 18): on a contact or an organisation (from its page) or on nothing
 * (from the calendar). It still lives in a board document — the one picked here, among the boards
 * one may edit — with no card; its contact is a link in SQL (`POST /api/boards/{id}/activities`
 * with `contact`), as a deal's activities' are. An optional time makes it a 30-minute timed one in
 * this browser's zone.
 */
import { useState } from 'preact/hooks'
import { post } from '../lib/api'
import { boards, me, members } from '../lib/session'
import { browserZone, wallToIso, addMinutes } from '../lib/calendar'
import { todayIso } from '../lib/format'
import { scoped, t } from '../i18n'
import { announce, toastError } from './ui'
import './new-activity.css'

const nt = scoped('newActivity')
const TYPES = ['call', 'meeting', 'email', 'todo', 'deadline'] as const

export function NewActivity({ contact, organisation, onAdded, idPrefix = 'new-activity' }: {
  contact?: string; organisation?: string; onAdded?: () => void; idPrefix?: string
}) {
  const writable = boards.value.filter((b) => b.access === 'write' && b.kind === 'pipeline')
  const [board, setBoard] = useState(writable[0]?.id ?? '')
  const [type, setType] = useState<(typeof TYPES)[number]>(contact ? 'call' : 'meeting')
  const [title, setTitle] = useState('')
  const [day, setDay] = useState(todayIso())
  const [time, setTime] = useState('')
  const [assignee, setAssignee] = useState(me.value?.id ?? '')
  const [busy, setBusy] = useState(false)
  if (writable.length === 0) return <p class="muted small">{nt('noBoard')}</p>
  const id = (name: string) => `${idPrefix}-${name}`
  async function submit(event: Event) {
    event.preventDefault()
    if (!title.trim()) return
    setBusy(true)
    try {
      const due = time ? wallToIso(day, time, browserZone()) : day || null
      await post(`/api/boards/${board}/activities`, {
        type, title: title.trim(), assignee: assignee || null, due, contact: contact ?? null, organisation: organisation ?? null,
        ...(time && due ? { end: addMinutes(due, 30), time_zone: browserZone() } : {}),
      })
      announce(nt('added', { title: title.trim() }))
      setTitle('')
      onAdded?.()
    } catch (e) { toastError(e) } finally { setBusy(false) }
  }
  return (
    <form class="new-activity" aria-label={nt('form')} onSubmit={submit} data-testid="new-activity">
      <label class="field" for={id('title')}><span class="field__label">{nt('what')}</span>
        <input id={id('title')} value={title} maxLength={500} required placeholder={nt('placeholder')}
          onInput={(e) => setTitle((e.target as HTMLInputElement).value)} /></label>
      <label class="field" for={id('type')}><span class="field__label">{nt('type')}</span>
        <select id={id('type')} value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value as typeof type)}>
          {TYPES.map((k) => <option key={k} value={k}>{t(`activityType.${k}`)}</option>)}
        </select></label>
      <label class="field" for={id('day')}><span class="field__label">{nt('day')}</span>
        <input id={id('day')} type="date" value={day} onInput={(e) => setDay((e.target as HTMLInputElement).value)} /></label>
      <label class="field" for={id('time')}><span class="field__label">{nt('time')}</span>
        <input id={id('time')} type="time" step={900} value={time} onInput={(e) => setTime((e.target as HTMLInputElement).value)} /></label>
      <label class="field" for={id('assignee')}><span class="field__label">{nt('assignee')}</span>
        <select id={id('assignee')} value={assignee} onChange={(e) => setAssignee((e.target as HTMLSelectElement).value)}>
          <option value="">{nt('nobody')}</option>
          {members.value.map((m) => <option key={m.user.id} value={m.user.id}>{m.user.name}</option>)}
        </select></label>
      {writable.length > 1 && (
        <label class="field" for={id('board')}><span class="field__label">{nt('board')}</span>
          <select id={id('board')} value={board} onChange={(e) => setBoard((e.target as HTMLSelectElement).value)}>
            {writable.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
          </select></label>
      )}
      <button class="btn btn--primary" disabled={busy || !title.trim()}>{nt('add')}</button>
    </form>
  )
}
