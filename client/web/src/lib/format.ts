/**
 * Formatting of money, numbers, dates and people in the app's language (`intlLocale()` from
 * `../i18n`: en-US / en-GB, de-DE / de-AT… as the browser has it), with the browser's Intl and
 * nothing else. Each formatter reads the locale signal, so a component that shows its result
 * re-renders when the user switches language. Use these, never `toLocaleString()` bare.
 */
import { intlLocale } from '../i18n'

const PALETTE = ['#4f46e5', '#db2777', '#ea580c', '#16a34a', '#0891b2', '#9333ea', '#b45309', '#dc2626']

/** A stable colour per user id (the same in every browser). */
export function colorFor(id: string): string {
  let hash = 0
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) | 0
  return PALETTE[Math.abs(hash) % PALETTE.length]
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean)
  if (!parts.length) return '?'
  return (parts[0][0] + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase()
}

const formats = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>()
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let format = formats.get(key) as T | undefined
  if (!format) {
    format = make()
    formats.set(key, format)
  }
  return format
}

/**
 * An amount in its own currency, in the app's language: "1.234,50 €" in German, "€1,234.50" in
 * English. Whole amounts show no cents; `compact` gives "1,2 Mio. €". An unknown currency code
 * shows the number and the code.
 */
export function money(value: number | null | undefined, currency = 'EUR', compact = false): string {
  const amount = Number(value) || 0
  const cents = !compact && !Number.isInteger(amount)
  const locale = intlLocale()
  const code = (currency || 'EUR').toUpperCase()
  try {
    return cached(`money:${locale}:${code}:${compact}:${cents}`, () => new Intl.NumberFormat(locale, {
      style: 'currency', currency: code, notation: compact ? 'compact' : 'standard',
      minimumFractionDigits: cents ? 2 : 0, maximumFractionDigits: compact ? 1 : cents ? 2 : 0,
    })).format(amount)
  } catch {
    return `${number(amount)} ${code}`
  }
}

/** A plain number: "1.234,5" in German. */
export function number(value: number, maximumFractionDigits = 2): string {
  const locale = intlLocale()
  return cached(`number:${locale}:${maximumFractionDigits}`, () => new Intl.NumberFormat(locale, { maximumFractionDigits })).format(value)
}

/** A percentage given as 0..100: "25 %" in German, "25%" in English. */
export function percent(value: number): string {
  const locale = intlLocale()
  return cached(`percent:${locale}`, () => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 })).format(value / 100)
}

/** Items joined as the language joins them: "a, b and c" / "a, b und c". */
export function list(items: string[]): string {
  return new Intl.ListFormat(intlLocale(), { style: 'long', type: 'conjunction' }).format(items)
}

export function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export function todayIso(): string {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00`)
  d.setDate(d.getDate() + days)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

function parse(value: string): Date {
  return new Date(value.length === 10 ? `${value}T12:00:00` : value)
}

/** "6 Dec" / "6. Dez." (with the year when it is not this year). */
export function shortDate(value: string | null | undefined): string {
  if (!value) return ''
  const d = parse(value)
  if (Number.isNaN(d.getTime())) return value
  const sameYear = d.getFullYear() === new Date().getFullYear()
  const locale = intlLocale()
  return cached(`date:${locale}:${sameYear}`, () => new Intl.DateTimeFormat(locale, {
    month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }),
  })).format(d)
}

/** "Dec 6, 09:30" / "6. Dez., 09:30". */
export function dateTime(value: string | null | undefined): string {
  if (!value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return value
  const locale = intlLocale()
  return cached(`datetime:${locale}`, () => new Intl.DateTimeFormat(locale, {
    month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  })).format(d)
}

export function daysSince(iso: string | null | undefined, now = Date.now()): number {
  if (!iso) return 0
  const t = Date.parse(iso)
  return Number.isNaN(t) ? 0 : Math.floor((now - t) / 86_400_000)
}

const capitalise = (text: string) => text.charAt(0).toLocaleUpperCase(intlLocale()) + text.slice(1)

function relativeFormat(): Intl.RelativeTimeFormat {
  const locale = intlLocale()
  return cached(`relative:${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }))
}

/** A moment relative to now: "3 minutes ago", "vor 3 Minuten", "yesterday", "in 2 Tagen". */
export function relative(iso: string | null | undefined): string {
  if (!iso) return ''
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return iso
  const seconds = Math.round((t - Date.now()) / 1000)
  const format = relativeFormat()
  const abs = Math.abs(seconds)
  if (abs < 60) return format.format(seconds, 'second')
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute')
  if (abs < 86400) return format.format(Math.round(seconds / 3600), 'hour')
  return format.format(Math.round(seconds / 86400), 'day')
}

/**
 * A due date as people say it: "Today", "Tomorrow", "Yesterday" ("Heute", "Morgen", "Gestern"),
 * "in 3 days" within a week, else the short date. `date` is YYYY-MM-DD (or an ISO moment).
 */
export function dueDay(date: string | null | undefined, today = todayIso()): string {
  if (!date) return ''
  const day = date.slice(0, 10)
  const days = Math.round((parse(day).getTime() - parse(today).getTime()) / 86_400_000)
  if (Number.isNaN(days)) return date
  if (Math.abs(days) <= 1 || (days > 1 && days < 7)) return capitalise(relativeFormat().format(days, 'day'))
  return shortDate(day)
}

/** A v4 UUID; `crypto.randomUUID` exists only in secure contexts (https, localhost). */
export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
