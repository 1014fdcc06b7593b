/** The language picker: in the sidebar's user block when signed in, at the top of the sign-in pages otherwise. */
import { LOCALES, LOCALE_NAMES, locale, setLocale, t, type Locale } from '../i18n'

export function LanguagePicker({ id = 'language', compact = false }: { id?: string; compact?: boolean }) {
  return (
    <div class={`language${compact ? ' language--compact' : ''}`}>
      <label class={compact ? 'sr-only' : 'language__label'} for={id}>{t('language.label')}</label>
      <select id={id} class="language__select" value={locale.value} data-testid="language"
        onChange={(e) => setLocale((e.target as HTMLSelectElement).value as Locale)}>
        {LOCALES.map((l) => <option key={l} value={l} lang={l}>{LOCALE_NAMES[l]}</option>)}
      </select>
    </div>
  )
}
