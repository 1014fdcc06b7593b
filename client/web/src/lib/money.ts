/**
 * Money across currencies: totals kept per currency, converted into the workspace currency only
 * where the admin set a rate (the rule the server's `domain/money.py` and pipeline report follow),
 * and the workspace's currency settings (`GET /api/workspaces/{id}/currency`), loaded once per
 * workspace and shared by the board, the deal panel and the settings screen.
 */
import { signal } from '@preact/signals'
import { get, patch, type Schemas } from './api'

export type CurrencySettings = Schemas['CurrencySettings']

/** Amount per ISO 4217 code, e.g. `{EUR: 1000000, USD: 275600}`: never one number of mixed money. */
export type Totals = Record<string, number>

export interface Converted {
  currency: string
  amount: number
  /** Per currency, what had no rate and so was not added in. */
  unconverted: Totals
  /** Whether any rate was used (false: everything was already in `currency`). */
  converted: boolean
}

/** Sum `amount` per currency; a deal without a currency counts in `fallback` (its board's). */
export function totalsByCurrency(deals: Iterable<{ value: number | null; currency: string | null | undefined }>, fallback: string): Totals {
  const totals: Totals = {}
  for (const deal of deals) {
    if (deal.value === null || !Number.isFinite(deal.value)) continue
    const code = deal.currency || fallback
    totals[code] = Math.round(((totals[code] ?? 0) + deal.value) * 100) / 100
  }
  return totals
}

/** `totals` in `settings.currency` where a rate allows; the rest kept apart per currency. */
export function convertTotals(totals: Totals, settings: { currency: string; rates: Record<string, number> }): Converted {
  let amount = 0
  let used = false
  const unconverted: Totals = {}
  for (const [code, value] of Object.entries(totals)) {
    if (code === settings.currency) amount += value
    else if (code in settings.rates) {
      amount += value * settings.rates[code]
      used = true
    } else unconverted[code] = value
  }
  return { currency: settings.currency, amount: Math.round(amount * 100) / 100, unconverted, converted: used }
}

export const currencySettings = signal<CurrencySettings | null>(null)
let loadedFor: string | null = null

export function rateMap(settings: CurrencySettings | null): Record<string, number> {
  return Object.fromEntries((settings?.rates ?? []).map((r) => [r.currency, r.rate]))
}

/** Load the workspace's settings (once per workspace unless `force`); guests get none and see totals per currency. */
export async function loadCurrencySettings(workspace: string, force = false): Promise<CurrencySettings | null> {
  if (!force && loadedFor === workspace) return currencySettings.value
  loadedFor = workspace
  try {
    currencySettings.value = await get<CurrencySettings>(`/api/workspaces/${workspace}/currency`)
  } catch {
    currencySettings.value = null
  }
  return currencySettings.value
}

export async function saveCurrencySettings(workspace: string, change: Schemas['CurrencyChange']): Promise<CurrencySettings> {
  const saved = await patch<CurrencySettings>(`/api/workspaces/${workspace}/currency`, change)
  currencySettings.value = saved
  loadedFor = workspace
  return saved
}

/** Codes a picker offers first (what the server calls common), then every code this browser knows. */
export const COMMON_CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'AUD', 'CAD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'JPY']
export function allCurrencies(): string[] {
  const supported = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('currency') ?? []
  return supported.filter((c) => !COMMON_CURRENCIES.includes(c))
}

/** The currency a workspace created in this browser starts with: by region, else language (server rule too). */
export function currencyForBrowser(languages: readonly string[] = navigator.languages ?? [navigator.language]): string {
  const byRegion: Record<string, string> = {
    DE: 'EUR', AT: 'EUR', LU: 'EUR', BE: 'EUR', NL: 'EUR', FR: 'EUR', IT: 'EUR', ES: 'EUR', IE: 'EUR', FI: 'EUR',
    CH: 'CHF', LI: 'CHF', GB: 'GBP', US: 'USD', AU: 'AUD', CA: 'CAD', NZ: 'NZD', SE: 'SEK', NO: 'NOK', DK: 'DKK', PL: 'PLN', CZ: 'CZK',
  }
  const first = languages[0] ?? 'en-US'
  const [language, ...rest] = first.split('-')
  const region = rest[rest.length - 1]?.toUpperCase()
  if (region && byRegion[region]) return byRegion[region]
  return ({ de: 'EUR', fr: 'EUR', nl: 'EUR', it: 'EUR', es: 'EUR' } as Record<string, string>)[language.toLowerCase()] ?? 'USD'
}
