/**
 * The compose dialog, loaded on demand: it carries Tiptap, which the main bundle otherwise does
 * without (the note editor loads it the same way), so the first mail a person writes fetches it.
 */
import { onDemand } from '../components/lazy'
import { t } from '../i18n'

export const ComposeDialog = onDemand(() => import('./Compose').then((m) => m.ComposeDialog),
                                      () => t('common.loading'))
