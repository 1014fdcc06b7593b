/**
 * `/w/<ws>/calendar`, loaded on demand: the calendar screen is a chunk of its own that the browser
 * fetches the first time someone opens it, so the main bundle does not grow (docs/calendar.md).
 */
import { useEffect, useState } from 'preact/hooks'
import type { FunctionComponent } from 'preact'
import { Spinner, toastError } from '../../components/ui'
import { t } from '../../i18n'

let loaded: FunctionComponent | null = null

export function CalendarPage() {
  const [Page, setPage] = useState<FunctionComponent | null>(() => loaded)
  useEffect(() => {
    if (!Page) import('./CalendarPage').then((m) => setPage(() => (loaded = m.CalendarPage)), toastError)
  }, [])
  return Page ? <Page /> : <Spinner label={t('calendar.loading')} />
}
