/**
 * Settings → Currencies: the workspace currency (new boards and deals start in it; totals add up
 * in it) and the exchange rates into it. Without rates, boards show one total per currency; with
 * them, totals are converted (and marked so), and a currency without a rate is shown apart.
 * Members and viewers see both read-only.
 */
import { useEffect, useState } from 'preact/hooks'
import { workspaceId } from '../../lib/session'
import { currencySettings, loadCurrencySettings, rateMap, saveCurrencySettings } from '../../lib/money'
import { money, number } from '../../lib/format'
import { CurrencySelect } from '../../components/CurrencySelect'
import { Empty, Icon, Spinner, announce, toastError } from '../../components/ui'
import { mt } from '../../i18n'

export function CurrenciesSettings({ admin }: { admin: boolean }) {
  const ws = workspaceId.value!
  useEffect(() => { void loadCurrencySettings(ws, true) }, [ws])
  const settings = currencySettings.value
  const [adding, setAdding] = useState('')
  const [rate, setRate] = useState('')
  if (!settings) return <Spinner />
  const rates = rateMap(settings)
  const codes = Object.keys(rates).sort()
  async function save(change: Parameters<typeof saveCurrencySettings>[1]) {
    try {
      await saveCurrencySettings(ws, change)
      announce(mt('saved'))
      return true
    } catch (e) {
      toastError(e)
      return false
    }
  }
  const parsed = (text: string) => Number(text.replace(/\s/g, '').replace(',', '.'))
  return (
    <div class="currencies" data-testid="currency-settings">
      <section class="settings__group" aria-labelledby="ws-currency">
        <h3 id="ws-currency">{mt('workspaceCurrency')}</h3>
        <p class="muted settings__help">{mt('workspaceCurrencyHelp')}</p>
        <div class="row">
          <CurrencySelect id="workspace-currency" label={mt('workspaceCurrency')} value={settings.currency} disabled={!admin}
            onChange={(code) => code !== settings.currency && (codes.length === 0 || confirm(mt('changeCurrencyWarning'))) && void save({ currency: code })} />
        </div>
        {admin && codes.length > 0 && <p class="field__hint">{mt('changeCurrencyWarning')}</p>}
      </section>
      <section class="settings__group" aria-labelledby="ws-rates">
        <h3 id="ws-rates">{mt('rates')}</h3>
        <p class="muted settings__help">{mt('ratesHelp', { currency: settings.currency })}</p>
        {codes.length === 0 ? <Empty title={mt('noRates')}>{mt('noRatesBody')}</Empty> : (
          <table class="rates" aria-labelledby="ws-rates">
            <thead><tr><th scope="col">{mt('currency')}</th><th scope="col">{mt('rate')}</th><th scope="col"><span class="sr-only">{mt('ratePreview', { one: '', is: '' })}</span></th>{admin && <th />}</tr></thead>
            <tbody>
              {codes.map((code) => (
                <tr key={code} data-testid="rate-row" data-currency={code}>
                  <th scope="row">{code}</th>
                  <td>{admin ? (
                    <input class="rates__input" inputMode="decimal" aria-label={`${mt('rate')} ${code}`} defaultValue={number(rates[code], 6)}
                      onChange={(e) => {
                        const value = parsed((e.target as HTMLInputElement).value)
                        void save({ rates: { ...rates, [code]: value } })
                      }} />
                  ) : number(rates[code], 6)}</td>
                  <td class="muted">{mt('ratePreview', { one: money(1, code), is: money(rates[code], settings.currency) })}</td>
                  {admin && <td><button type="button" class="icon-btn icon-btn--small" aria-label={mt('removeRate', { code })} title={mt('removeRate', { code })}
                    onClick={() => { const next = { ...rates }; delete next[code]; void save({ rates: next }) }}><Icon name="close" size={14} /></button></td>}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {admin && (
          <form class="inline-add" onSubmit={async (e) => {
            e.preventDefault()
            if (!adding) return
            if (await save({ rates: { ...rates, [adding]: parsed(rate) } })) { setAdding(''); setRate('') }
          }}>
            <CurrencySelect id="rate-currency" label={mt('currency')} value={adding} exclude={[settings.currency, ...codes]} onChange={setAdding} />
            <label class="sr-only" for="rate-value">{mt('rate')}</label>
            <input id="rate-value" inputMode="decimal" required placeholder={mt('rate')} value={rate} size={10}
              onInput={(e) => setRate((e.target as HTMLInputElement).value)} />
            <button class="btn btn--primary btn--small"><Icon name="plus" size={16} />{mt('addRate')}</button>
          </form>
        )}
      </section>
    </div>
  )
}
