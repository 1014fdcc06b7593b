/**
 * The rep comparison's words (views/insights/Compare.tsx, docs/insights.md "Comparing reps"),
 * English and German side by side; `ct` picks the current language (the `locale` signal, so the
 * screen re-renders when it changes). The explanation's sentences come from the server in the
 * language asked (`lang`), numbers in that language's format.
 */
import { locale } from './index'

const en = {
  compare: 'Compare reps',
  compareHint: 'Pick two or more reps, or one, to see them beside {{baseline}} and what explains the difference.',
  title: 'Compare reps',
  reps: 'Reps',
  baselineTeam: 'the team {{name}}',
  baselineWorkspace: 'everyone in the workspace',
  baselineColumnTeam: 'Team {{name}}',
  baselineColumnWorkspace: 'All reps',
  pickOne: 'Pick at least one rep.',
  noReps: 'No rep has closed or moved a deal in this period yet: nobody to compare.',
  why: 'What explains the difference',
  noGaps: 'No difference rests on {{n}} or more deals yet.',
  leftOut_one: '{{count}} smaller difference left out: fewer than {{n}} deals behind it.',
  leftOut_other: '{{count}} differences left out: fewer than {{n}} deals behind each.',
  figures: 'Figures',
  figure: 'Figure',
  deals: '{{count}} deals',
  showDeals: 'Show the deals behind {{what}}',
  none: '—',
  close: 'Close',
  loading: 'Loading…',
  group_stages: 'Stages',
  group_activity: 'Activity per deal',
  group_results: 'Results',
  group_lost: 'Lost reasons (share of lost deals)',
  key_conversion: 'Conversion {{of}}',
  key_median_days: 'Median days in {{of}}',
  key_per_won: '{{of}} per won deal',
  key_per_open: '{{of}} per open deal',
  key_first_activity_hours: 'Hours to a new deal’s first activity (median)',
  key_win_rate: 'Win rate',
  key_average_won: 'Average won deal',
  key_lost_share: 'Lost: {{of}}',
  key_coverage: 'Weighted pipeline / goal',
  activity_calls: 'Calls',
  activity_meetings: 'Meetings',
  activity_emails: 'E-mails',
  activity_tasks: 'Tasks',
  reasonOther: 'other reason',
  reasonNone: 'no reason given',
}

const de: typeof en = {
  compare: 'Vertriebler vergleichen',
  compareHint: 'Wählen Sie zwei oder mehr Vertriebler – oder einen –, um sie neben {{baseline}} zu sehen und was den Unterschied erklärt.',
  title: 'Vertriebler vergleichen',
  reps: 'Vertriebler',
  baselineTeam: 'dem Team {{name}}',
  baselineWorkspace: 'allen im Arbeitsbereich',
  baselineColumnTeam: 'Team {{name}}',
  baselineColumnWorkspace: 'Alle',
  pickOne: 'Wählen Sie mindestens einen Vertriebler.',
  noReps: 'In diesem Zeitraum hat noch niemand einen Deal abgeschlossen oder bewegt: niemand zu vergleichen.',
  why: 'Was den Unterschied erklärt',
  noGaps: 'Noch beruht kein Unterschied auf {{n}} oder mehr Deals.',
  leftOut_one: '{{count}} kleinerer Unterschied ausgelassen: weniger als {{n}} Deals dahinter.',
  leftOut_other: '{{count}} Unterschiede ausgelassen: jeweils weniger als {{n}} Deals dahinter.',
  figures: 'Kennzahlen',
  figure: 'Kennzahl',
  deals: '{{count}} Deals',
  showDeals: 'Deals zu {{what}} anzeigen',
  none: '—',
  close: 'Schließen',
  loading: 'Wird geladen …',
  group_stages: 'Phasen',
  group_activity: 'Aktivität pro Deal',
  group_results: 'Ergebnisse',
  group_lost: 'Verlustgründe (Anteil der verlorenen Deals)',
  key_conversion: 'Konversion {{of}}',
  key_median_days: 'Median Tage in {{of}}',
  key_per_won: '{{of}} pro gewonnenem Deal',
  key_per_open: '{{of}} pro offenem Deal',
  key_first_activity_hours: 'Stunden bis zur ersten Aktivität eines neuen Deals (Median)',
  key_win_rate: 'Gewinnquote',
  key_average_won: 'Durchschnittlicher gewonnener Deal',
  key_lost_share: 'Verloren: {{of}}',
  key_coverage: 'Gewichtete Pipeline / Ziel',
  activity_calls: 'Anrufe',
  activity_meetings: 'Termine',
  activity_emails: 'E-Mails',
  activity_tasks: 'Aufgaben',
  reasonOther: 'anderer Grund',
  reasonNone: 'kein Grund angegeben',
}

export type CompareWord = keyof typeof en
type Vars = Record<string, string | number>

/** A word of the comparison in the current language, `{{name}}` filled in; `count` picks _one / _other. */
export function ct(key: CompareWord | 'leftOut', vars: Vars = {}): string {
  const words = locale.value === 'de' ? de : en
  const chosen = key === 'leftOut' ? (vars.count === 1 ? 'leftOut_one' : 'leftOut_other') : key
  return words[chosen].replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(vars[name] ?? ''))
}
