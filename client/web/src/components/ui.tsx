/** Small shared pieces: avatars, the live region, toasts, the connection pill, icons. */
import { signal } from '@preact/signals'
import type { ComponentChildren, SVGAttributes } from 'preact'
import { colorFor, initials } from '../lib/format'
import { connection } from '../lib/ydocs'
import { t } from '../i18n'

export function Avatar({ name, id, color, size = 28, label, ring = false }: {
  name: string; id?: string; color?: string; size?: number; label?: string; ring?: boolean
}) {
  const bg = color ?? colorFor(id ?? name)
  return (
    <span class={`avatar${ring ? ' avatar--ring' : ''}`} title={label ?? name} role="img" aria-label={label ?? name}
      style={{ background: bg, width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px`, '--ring': bg }}>
      {initials(name)}
    </span>
  )
}

export function AvatarStack({ people, max = 4, size = 28, label }: {
  people: { id: string; name: string; color?: string; note?: string; you?: boolean }[]; max?: number; size?: number; label: string
}) {
  if (!people.length) return null
  const shown = people.slice(0, max)
  return (
    <div class="avatar-stack" role="group" aria-label={label}>
      {shown.map((p) => (
        <Avatar key={p.id} id={p.id} name={p.name} color={p.color} size={size} ring
          label={`${p.you ? t('common.you', { name: p.name }) : p.name}${p.note ? ` — ${p.note}` : ''}`} />
      ))}
      {people.length > max && <span class="avatar avatar--more" style={{ width: `${size}px`, height: `${size}px` }}>+{people.length - max}</span>}
    </div>
  )
}

// --- announcements for screen readers ------------------------------------------------------------

export const announcement = signal('')
export function announce(text: string): void {
  // clear first so that the same words are announced again
  announcement.value = ''
  requestAnimationFrame(() => (announcement.value = text))
}
export function LiveRegion() {
  return <div class="sr-only" aria-live="assertive" aria-atomic="true" data-testid="announcer">{announcement.value}</div>
}

// --- toasts -----------------------------------------------------------------------------------

interface Toast { id: number; text: string; kind: 'info' | 'error' }
const toasts = signal<Toast[]>([])
let nextToast = 1
export function toast(text: string, kind: Toast['kind'] = 'info'): void {
  const id = nextToast++
  toasts.value = [...toasts.value, { id, text, kind }]
  setTimeout(() => (toasts.value = toasts.value.filter((t) => t.id !== id)), kind === 'error' ? 7000 : 3500)
}
export function toastError(error: unknown): void {
  toast(error instanceof Error ? error.message : String(error), 'error')
}
export function Toasts() {
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.value.map((t) => <div key={t.id} class={`toast toast--${t.kind}`}>{t.text}</div>)}
    </div>
  )
}

// --- connection -------------------------------------------------------------------------------

export function ConnectionPill() {
  const c = connection.value
  const label = c.state === 'live' ? t('connection.live') : c.state === 'offline' ? t('connection.offline')
    : c.state === 'connecting' ? t('connection.connecting') : c.label
  const detail = c.state === 'offline'
    ? c.edits ? t('connection.offlineEdits', { count: c.edits }) : t('connection.offlineSaved')
    : c.state === 'live' ? t('connection.allLive') : label
  return (
    <span class={`pill pill--${c.state}`} role="status" aria-live="polite" title={detail} data-testid="connection" data-state={c.state}>
      <span class="pill__dot" aria-hidden="true" />
      {label}
      {c.state === 'offline' && c.edits > 0 && <span class="pill__count">{t('connection.unsynced', { count: c.edits })}</span>}
    </span>
  )
}

// --- layout helpers ---------------------------------------------------------------------------

export function Empty({ title, children, icon = '✦' }: { title: string; children?: ComponentChildren; icon?: string }) {
  return (
    <div class="empty">
      <div class="empty__icon" aria-hidden="true">{icon}</div>
      <h2 class="empty__title">{title}</h2>
      {children && <div class="empty__body">{children}</div>}
    </div>
  )
}

export function Spinner({ label }: { label?: string }) {
  return <div class="spinner" role="status"><span class="spinner__ring" aria-hidden="true" /><span class="sr-only">{label ?? t('common.loading')}</span></div>
}

export function Field({ label, children, hint, id }: { label: string; children: ComponentChildren; hint?: string; id?: string }) {
  return (
    <label class="field" for={id}>
      <span class="field__label">{label}</span>
      {children}
      {hint && <span class="field__hint">{hint}</span>}
    </label>
  )
}

const ICONS: Record<string, string> = {
  board: 'M3 4h5v16H3zM10 4h5v10h-5zM17 4h4v13h-4z',
  tasks: 'M9 11l2 2 4-4M4 5h16v14H4z',
  contacts: 'M12 12a4 4 0 100-8 4 4 0 000 8zM4 20a8 8 0 0116 0',
  org: 'M4 20V6l8-3v17M12 9h8v11M7 9h2M7 13h2M15 13h2M15 16h2',
  import: 'M12 3v12m0 0l-4-4m4 4l4-4M4 17v3h16v-3',
  people: 'M9 11a3 3 0 100-6 3 3 0 000 6zM3 19a6 6 0 0112 0M16 5a3 3 0 010 6M18 19a6 6 0 00-3-5',
  search: 'M11 18a7 7 0 100-14 7 7 0 000 14zM21 21l-5-5',
  plus: 'M12 5v14M5 12h14',
  close: 'M6 6l12 12M18 6L6 18',
  check: 'M5 12l5 5 9-10',
  call: 'M5 4h4l2 5-3 2a11 11 0 005 5l2-3 5 2v4a2 2 0 01-2 2A16 16 0 013 6a2 2 0 012-2',
  meeting: 'M4 6h16v14H4zM4 10h16M8 3v4M16 3v4',
  email: 'M4 6h16v12H4zM4 7l8 6 8-6',
  todo: 'M9 11l2 2 4-4M5 4h14v16H5z',
  deadline: 'M12 7v5l3 2M12 21a9 9 0 100-18 9 9 0 000 18z',
  menu: 'M4 6h16M4 12h16M4 18h16',
  logout: 'M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10',
  note: 'M6 3h9l4 4v14H6zM14 3v5h5M9 13h7M9 17h5',
  grip: 'M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01',
  flame: 'M12 3c3 4 6 6 6 11a6 6 0 01-12 0c0-3 2-5 3-7 1 2 2 3 3 3 0-3-1-5 0-7z',
  settings: 'M4 7h10M18 7h2M4 17h4M12 17h8M14 5v4M8 15v4',
  bell: 'M6 16V11a6 6 0 0112 0v5l2 2H4zM10 20a2 2 0 004 0',
  insights: 'M4 20h16M7 16v-5M12 16V6M17 16v-8',
}
export function Icon({ name, size = 18, ...rest }: { name: keyof typeof ICONS | string; size?: number } & SVGAttributes<SVGSVGElement>) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"
      stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false" {...rest}>
      <path d={ICONS[name] ?? ICONS.plus} />
    </svg>
  )
}
