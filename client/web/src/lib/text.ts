/**
 * Words for the permission settings and erasure, in one place (the app is English only; a second
 * language would add a sibling object with the same keys).
 */
import type { DeleteLevel, ExportLevel } from './permissions'

export const PERMISSION_TEXT = {
  title: 'Permissions',
  intro: 'Who may delete contacts and organisations, and who may export the workspace as CSV. Owners and admins may always do both.',
  deleteLegend: 'Who may delete records',
  exportLegend: 'Who may export',
  deleteLevels: {
    admins: 'Only admins and owners',
    members_own: 'Members delete only records they own',
    members: 'All members',
  } satisfies Record<DeleteLevel, string>,
  exportLevels: {
    admins: 'Only admins and owners',
    members: 'All members',
  } satisfies Record<ExportLevel, string>,
  readOnly: 'Only admins and owners change these.',
  saved: 'Permissions saved.',
  exportRefused: 'Only admins and owners may export in this workspace.',
  deleteRefusedOwn: 'You may delete only records you own.',
  deleteRefused: 'Only admins and owners may delete records in this workspace.',
  erase: 'Erase personal data…',
  eraseTitle: 'Erase personal data',
  eraseExplain: (name: string) =>
    `This removes ${name}'s personal data everywhere Tandem stores it: the name, e-mail addresses, phone numbers and other fields; ` +
    'the text of every note about them; their link and mentions in deals and activities; and the old values in the saved history. ' +
    'It cannot be undone. An entry in the audit log records that it happened, without the data.',
  eraseConfirm: 'Erase everything',
  erased: (counts: { notes_blanked: number; deal_references_removed: number; activity_references_removed: number }) =>
    `Erased. Notes blanked: ${counts.notes_blanked}; deals unlinked: ${counts.deal_references_removed}; activities unlinked: ${counts.activity_references_removed}.`,
}
