/**
 * `/w/<ws>/insights`, loaded on demand: the dashboard and its chart library (Chart.js) are one
 * chunk of their own that the browser fetches the first time someone opens the page, so the main
 * bundle does not grow with them (docs/insights-dashboard.md measures both).
 */
import { onDemand } from '../../components/lazy'
import { t } from '../../i18n'

export const InsightsPage = onDemand(() => import('./Dashboard').then((m) => m.Dashboard), () => t('common.loading'))
