/** A currency picker: the common codes first (EUR, USD, GBP, CHF…), then every ISO 4217 code, each with its name. */
import { COMMON_CURRENCIES, allCurrencies } from '../lib/money'
import { intlLocale } from '../i18n'
import { mt } from '../i18n'

function named(code: string): string {
  try {
    const name = new Intl.DisplayNames([intlLocale()], { type: 'currency' }).of(code)
    return name && name !== code ? `${code} – ${name}` : code
  } catch {
    return code
  }
}

export function CurrencySelect({ label, value, onChange, disabled = false, id, exclude = [] }: {
  label: string; value: string; onChange: (code: string) => void; disabled?: boolean; id?: string; exclude?: string[]
}) {
  const common = COMMON_CURRENCIES.filter((c) => !exclude.includes(c))
  const rest = allCurrencies().filter((c) => !exclude.includes(c))
  const known = !value || common.includes(value) || rest.includes(value)
  return (
    <select id={id} aria-label={label} value={value} disabled={disabled} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
      {!known && <option value={value}>{value}</option>}
      {!value && <option value="">{mt('choose')}</option>}
      <optgroup label={mt('common')}>{common.map((c) => <option key={c} value={c}>{named(c)}</option>)}</optgroup>
      <optgroup label={mt('all')}>{rest.map((c) => <option key={c} value={c}>{named(c)}</option>)}</optgroup>
    </select>
  )
}
