/**
 * A sum of deals that may be in several currencies: one amount per currency while the workspace
 * has no exchange rates; with rates, one amount in the workspace currency marked "converted",
 * and what is in a currency without a rate shown beside it, never added in.
 */
import { currencySettings, convertTotals, rateMap, type Totals } from '../lib/money'
import { money } from '../lib/format'
import { mt } from '../i18n'

export function MoneyTotals({ totals, fallback, testid }: { totals: Totals; fallback: string; testid?: string }) {
  const settings = currencySettings.value
  const rates = rateMap(settings)
  const codes = Object.keys(totals).sort()
  if (codes.length === 0) return <span class="money-totals" data-testid={testid}>{money(0, settings?.currency ?? fallback)}</span>
  if (settings && Object.keys(rates).length > 0) {
    const c = convertTotals(totals, { currency: settings.currency, rates })
    const apart = Object.keys(c.unconverted).sort()
    return (
      <span class="money-totals" data-testid={testid} data-converted={c.converted ? 'true' : 'false'}>
        <span title={c.converted ? mt('convertedTitle', { currency: c.currency }) : undefined}>
          {money(c.amount, c.currency)}
          {c.converted && <abbr class="money-totals__mark" title={mt('convertedTitle', { currency: c.currency })} aria-label={mt('converted')}>≈</abbr>}
        </span>
        {apart.map((code) => (
          <span key={code} class="money-totals__apart" title={mt('noRate', { codes: code })} data-testid={testid && `${testid}-apart`}>
            + {money(c.unconverted[code], code)}
          </span>
        ))}
      </span>
    )
  }
  return (
    <span class="money-totals" data-testid={testid} title={codes.length > 1 ? mt('perCurrency') : undefined}>
      {codes.map((code, i) => (
        <span key={code} class={i ? 'money-totals__apart' : undefined}>{i ? '· ' : ''}{money(totals[code], code)}</span>
      ))}
    </span>
  )
}
