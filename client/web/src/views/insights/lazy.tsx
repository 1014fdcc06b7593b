/**
 * `/w/<ws>/insights`, loaded on demand: the dashboard and its chart library (Chart.js) are one
 * chunk of their own that the browser fetches the first time someone opens the page, so the main
 * bundle does not grow with them (docs/insights-dashboard.md measures both).
 */
import { useEffect, useState } from 'preact/hooks'
import type { FunctionComponent } from 'preact'
import { Spinner, toastError } from '../../components/ui'
import { t } from '../../i18n'

let loaded: FunctionComponent | null = null

export function InsightsPage() {
  const [Page, setPage] = useState<FunctionComponent | null>(() => loaded)
  useEffect(() => {
    if (!Page) import('./Dashboard').then((m) => setPage(() => (loaded = m.Dashboard)), toastError)
  }, [])
  return Page ? <Page /> : <Spinner label={t('common.loading')} />
}
