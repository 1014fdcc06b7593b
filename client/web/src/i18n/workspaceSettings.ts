/**
 * Settings › Workspace: the workspace's name and time zone (`workspaceSettings` group of `en.ts` /
 * `de.ts`, docs/forecast.md › Weeks and time zones). Kept in a file of their own.
 */
import type { Catalogue } from './de'

export const workspaceSettingsEn = {
  title: 'Workspace',
  name: 'Name',
  nameHint: 'Shown in the workspace switcher and page titles, for every member.',
  timeZone: 'Time zone',
  timeZoneHint: 'The weekly forecast snapshot is taken at Monday 00:00 in this zone.',
  serverDefault: 'Server default ({{zone}})',
  search: 'Search time zones',
  searchPlaceholder: 'Berlin, New York, UTC…',
  matches_one: '{{count}} zone matches',
  matches_other: '{{count}} zones match',
  noMatch: 'No time zone matches “{{query}}”.',
  save: 'Save',
  saved: 'Workspace settings saved',
}

export const workspaceSettingsDe: Catalogue<typeof workspaceSettingsEn> = {
  title: 'Arbeitsbereich',
  name: 'Name',
  nameHint: 'Steht im Arbeitsbereich-Wechsler und in den Seitentiteln, für alle Mitglieder.',
  timeZone: 'Zeitzone',
  timeZoneHint: 'Der wöchentliche Forecast-Schnappschuss entsteht montags um 00:00 Uhr in dieser Zone.',
  serverDefault: 'Vorgabe des Servers ({{zone}})',
  search: 'Zeitzonen durchsuchen',
  searchPlaceholder: 'Berlin, New York, UTC…',
  matches_one: '{{count}} Zone passt',
  matches_other: '{{count}} Zonen passen',
  noMatch: 'Keine Zeitzone passt zu „{{query}}“.',
  save: 'Speichern',
  saved: 'Einstellungen des Arbeitsbereichs gespeichert',
}
