/**
 * `/w/<ws>/calendar`, loaded on demand: the calendar screen is a chunk of its own that the browser
 * fetches the first time someone opens it, so the main bundle does not grow (docs/calendar.md).
 */
import { onDemand } from '../../components/lazy'
import { t } from '../../i18n'

export const CalendarPage = onDemand(() => import('./CalendarPage').then((m) => m.CalendarPage),
                                     () => t('calendar.loading'))
