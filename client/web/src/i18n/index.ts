/**
 * The app's languages: English and German, through i18next with the catalogues in `en.ts` and
 * `de.ts` (typed: `t('board.addDeal')` with a key that is not in `en.ts` fails `tsc`, and so
 * does a German catalogue that lacks a key).
 *
 * `locale` is a signal: `t()` reads it, so every component that calls `t()` re-renders when the
 * user switches language, and so do the formatters in `lib/format.ts` (they read `intlLocale()`).
 * A signed-in user's choice is kept by the server (`PATCH /api/me {locale}`, answered by `GET /api/me`
 * and at sign-in), so it follows them to every browser: after sign-in the server's choice wins over
 * the browser's languages and replaces this device's. It is also remembered in localStorage, per
 * user (`tandem:locale:<user>`) and per device (`tandem:locale`, for the sign-in page); with none of
 * these, the browser's languages suggest it (`de*` -> German, anything else -> English).
 * `<html lang>` follows.
 */
import { signal } from '@preact/signals'
import i18next, { type TFunction } from 'i18next'
import { en } from './en'
import { de } from './de'

export const LOCALES = ['en', 'de'] as const
export type Locale = (typeof LOCALES)[number]
/** Each language named in itself, for the language picker. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', de: 'Deutsch' }

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation'
    resources: { translation: typeof en }
  }
}

const DEVICE_KEY = 'tandem:locale'
const userKey = (user: string) => `tandem:locale:${user}`

function stored(key: string): Locale | null {
  try {
    const value = localStorage.getItem(key)
    return value === 'en' || value === 'de' ? value : null
  } catch {
    return null // storage blocked (private mode, policies): fall back to the browser's suggestion
  }
}

/** What the browser suggests: the first of `navigator.languages` we speak; else English. */
export function suggestedLocale(languages: readonly string[] = navigator.languages ?? [navigator.language]): Locale {
  for (const language of languages) {
    const base = language.toLowerCase().split('-')[0]
    if (base === 'de') return 'de'
    if (base === 'en') return 'en'
  }
  return 'en'
}

export const locale = signal<Locale>(stored(DEVICE_KEY) ?? suggestedLocale())

void i18next.init({
  lng: locale.peek(),
  fallbackLng: 'en',
  supportedLngs: [...LOCALES],
  resources: { en: { translation: en }, de: { translation: de } },
  initAsync: false, // the catalogues are bundled: translate from the first render on
  interpolation: { escapeValue: false }, // Preact escapes what it renders
  returnNull: false,
})
// `{{label, lowercase}}`: an English label inside a sentence ("Change contact"); German keeps its nouns capitalised
i18next.services.formatter?.add('lowercase', (value) => String(value).toLowerCase())
document.documentElement.lang = locale.peek()

function apply(next: Locale): void {
  if (locale.peek() !== next) {
    void i18next.changeLanguage(next)
    locale.value = next
  }
  document.documentElement.lang = next
}

let currentUser: string | null = null
let saveChoice: ((next: Locale) => Promise<unknown>) | null = null

function remember(next: Locale): void {
  try {
    localStorage.setItem(DEVICE_KEY, next)
    if (currentUser) localStorage.setItem(userKey(currentUser), next)
  } catch {
    /* not remembered here; still used for this visit */
  }
}

/** The user picked a language: use it, remember it on this device and, signed in, on the server for every browser. */
export function setLocale(next: Locale): void {
  remember(next)
  apply(next)
  if (currentUser && saveChoice) saveChoice(next).catch(() => { /* kept on this device; the server learns it next time */ })
}

/** A signed-in user as the server answers them: `locale` is the language they chose anywhere, null if never. */
export interface Speaker {
  id: string
  locale?: string | null
}

/**
 * Someone signed in (or out, with null). Their choice on the server wins and replaces this
 * device's; without one, the language they chose in this browser before (or on its sign-in page)
 * is used and sent with `save`, so their other browsers follow.
 */
export function adoptUser(user: Speaker | null, save?: (next: Locale) => Promise<unknown>): void {
  currentUser = user?.id ?? null
  saveChoice = user ? save ?? null : null
  if (!user) return
  const server = user.locale === 'en' || user.locale === 'de' ? user.locale : null
  if (server) {
    remember(server)
    apply(server)
    return
  }
  const chosen = stored(userKey(user.id)) ?? stored(DEVICE_KEY)
  if (chosen) {
    remember(chosen)
    apply(chosen)
    saveChoice?.(chosen).catch(() => { /* tried again at the next sign-in */ })
  }
}

/** Translate a key of the catalogue (`en.ts`); reading `locale` makes the calling component re-render on a switch. */
export const t: TFunction = ((...args: Parameters<TFunction>) => {
  void locale.value
  return (i18next.t as unknown as (...a: unknown[]) => string)(...args)
}) as TFunction

type Catalog = typeof en
type Plain<K extends string> = K extends `${infer B}_${'one' | 'other'}` ? B : K
/** The keys of one group of the catalogue, nested ones dotted, a plural pair named once (`selected` for `selected_one` / `selected_other`). */
export type GroupKey<T> = { [K in keyof T & string]: T[K] extends string ? Plain<K> : `${K}.${GroupKey<T[K]>}` }[keyof T & string]
export type Vars = Record<string, unknown>

/** `t` for one group of the catalogue: `scoped('settings')('moved', {name, pos, of})` is `t('settings.moved', …)`. */
export function scoped<G extends keyof Catalog>(group: G): (key: GroupKey<Catalog[G]>, vars?: Vars) => string {
  return (key, vars = {}) => (t as unknown as (key: string, vars: Vars) => string)(`${group}.${key}`, vars)
}

/** The guest screens and the pipeline report (`guests` group). */
export const gt = scoped('guests')
export type GuestWord = GroupKey<Catalog['guests']>
/** The record screens: timelines, bulk edits, segments, duplicates (`recordScreens` group). */
export const rt = scoped('recordScreens')
export type RecordWord = GroupKey<Catalog['recordScreens']>
/** The settings screens (`settings` group). */
export const st = scoped('settings')
export type SettingsWord = GroupKey<Catalog['settings']>
/** Board totals, currencies and custom fields (`money` group). */
export const mt = scoped('money')
export type MoneyWord = GroupKey<Catalog['money']>
/** Settings › Webhooks (`webhooks` group). */
export const wht = scoped('webhooks')
/** Settings › Automations (`automations` group). */
export const aut = scoped('automations')

const importWord = scoped('imports')
export type ImportWord = GroupKey<Catalog['imports']>
/** The import screen (`imports` group); `{n}` also picks the plural form (`importN_one` / `importN_other`). */
export function it(key: ImportWord, vars: Vars = {}): string {
  return importWord(key, typeof vars.n === 'number' ? { count: vars.n, ...vars } : vars)
}
/** The name of a column a header may be mapped to (a custom field: its label). */
export function column(key: string, fields: Record<string, string> = {}): string {
  if (key in fields) return fields[key]
  return key in en.imports.columns ? importWord(`columns.${key}` as ImportWord) : key
}

/** The BCP 47 locale for `Intl`: the browser's own variant of the chosen language (en-GB, de-AT), else en-US / de-DE. */
export function intlLocale(): string {
  const chosen = locale.value
  const own = (navigator.languages ?? [navigator.language]).find((l) => l.toLowerCase().split('-')[0] === chosen)
  return own && own.includes('-') ? own : chosen === 'de' ? 'de-DE' : 'en-US'
}
