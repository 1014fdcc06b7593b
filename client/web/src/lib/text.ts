/**
 * Words for the permission settings and erasure, read from the catalogue (`src/i18n`,
 * `permissions.*`) in the language the user picked. Getters, so each read translates at render.
 */
import type { DeleteLevel, ExportLevel } from './permissions'
import { t } from '../i18n'

export const PERMISSION_TEXT = {
  get title() { return t('permissions.title') },
  get intro() { return t('permissions.intro') },
  get deleteLegend() { return t('permissions.deleteLegend') },
  get exportLegend() { return t('permissions.exportLegend') },
  get deleteLevels(): Record<DeleteLevel, string> {
    return {
      admins: t('permissions.deleteLevels.admins'),
      members_own: t('permissions.deleteLevels.members_own'),
      members: t('permissions.deleteLevels.members'),
    }
  },
  get exportLevels(): Record<ExportLevel, string> {
    return { admins: t('permissions.exportLevels.admins'), members: t('permissions.exportLevels.members') }
  },
  get readOnly() { return t('permissions.readOnly') },
  get saved() { return t('permissions.saved') },
  get exportRefused() { return t('permissions.exportRefused') },
  get deleteRefusedOwn() { return t('permissions.deleteRefusedOwn') },
  get deleteRefused() { return t('permissions.deleteRefused') },
  get erase() { return t('permissions.erase') },
  get eraseTitle() { return t('permissions.eraseTitle') },
  eraseExplain: (name: string) => t('permissions.eraseExplain', { name }),
  get eraseConfirm() { return t('permissions.eraseConfirm') },
  erased: (counts: { notes_blanked: number; deal_references_removed: number; activity_references_removed: number }) =>
    t('permissions.erased', {
      notes: counts.notes_blanked, deals: counts.deal_references_removed, activities: counts.activity_references_removed,
    }),
}
