/**
 * The settings screens' words, English and German, in one place: sentences built from values
 * are functions here, which the i18next catalogue (../../i18n) would spell as `{{name}}` keys.
 * `tx()` follows the language the user chose (`locale`), so a switch re-renders these screens.
 */
import { locale } from '../../i18n'
const en = {
  settings: 'Settings', sections: 'Settings sections', readOnly: 'Only owners and admins can change these settings.',
  pipelines: 'Pipelines & stages', boards: 'Boards', lostReasons: 'Lost reasons', labels: 'Labels',
  board: 'Board', noBoards: 'No boards yet', noBoardsBody: 'Create a board first; its stages are set up here.',
  stage: 'Stage', stages: 'Stages', probability: 'Win probability (%)', rotDays: 'Rotting after (days)', kind: 'Kind',
  kindOpen: 'Open', kindWon: 'Won', kindLost: 'Lost', rotNever: '0 = never',
  addStage: 'Add stage', newStage: 'New stage name', deleteStage: 'Delete stage', cancel: 'Cancel',
  moveHandle: (name: string) => `Reorder ${name}: arrow up or down moves it`,
  moved: (name: string, pos: number, of: number) => `${name} moved to position ${pos} of ${of}.`,
  dealsIn: (n: number) => (n === 1 ? '1 deal is in this stage.' : `${n} deals are in this stage.`),
  moveTo: 'Move them to', chooseStage: 'Choose a stage…', lastStage: 'A board needs at least one stage.',
  deleted: (name: string) => `Deleted the stage ${name}.`, confirmDelete: (name: string) => `Delete the stage “${name}”?`,
  stagesHelp: 'Drag the handle, or focus it and press the arrow keys, to change the order. Changes sync live to everyone on the board.',
  rename: 'Rename', archive: 'Archive', restore: 'Restore', delete: 'Delete', save: 'Save',
  archived: 'Archived', active: 'Active', showArchived: 'Show archived boards', pipeline: 'Sales pipeline', project: 'Project board',
  archivedNone: 'No archived boards.', archivedHint: 'Archived boards are hidden from the boards list and kept with all their deals; restore them any time.',
  typeToDelete: (name: string) => `Type “${name}” to delete this board, its deals, activities and notes for good.`,
  deleteForever: 'Delete for good', boardName: 'Board name',
  lostReasonsHelp: 'The reasons offered when someone marks a deal lost. They can always type another.',
  addReason: 'Add reason', newReason: 'New lost reason', noReasons: 'No lost reasons yet',
  noReasonsBody: 'Add the reasons your team loses deals for: price, timing, a competitor…',
  labelsHelp: 'Labels mark deals and contacts. Give each a colour so they stand out on the board.',
  addLabel: 'Add label', newLabel: 'New label name', colour: 'Colour', noLabels: 'No labels yet',
  noLabelsBody: 'Add labels such as “hot”, “enterprise” or “partner”.',
  moveUp: 'Move up', moveDown: 'Move down', remove: 'Remove', saved: 'Saved.',
  colours: { grey: 'Grey', red: 'Red', orange: 'Orange', yellow: 'Yellow', green: 'Green', teal: 'Teal', blue: 'Blue', purple: 'Purple' } as Record<string, string>,
}

const de: typeof en = {
  settings: 'Einstellungen', sections: 'Bereiche der Einstellungen', readOnly: 'Nur Inhaber und Admins können diese Einstellungen ändern.',
  pipelines: 'Pipelines & Phasen', boards: 'Boards', lostReasons: 'Verlustgründe', labels: 'Labels',
  board: 'Board', noBoards: 'Noch keine Boards', noBoardsBody: 'Zuerst ein Board erstellen – seine Phasen werden dann hier eingerichtet.',
  stage: 'Phase', stages: 'Phasen', probability: 'Abschlusswahrscheinlichkeit (%)', rotDays: 'Verrottet nach (Tagen)', kind: 'Art',
  kindOpen: 'Offen', kindWon: 'Gewonnen', kindLost: 'Verloren', rotNever: '0 = nie',
  addStage: 'Phase hinzufügen', newStage: 'Name der neuen Phase', deleteStage: 'Phase löschen', cancel: 'Abbrechen',
  moveHandle: (name: string) => `${name} verschieben: Pfeil nach oben oder unten`,
  moved: (name: string, pos: number, of: number) => `${name} ist jetzt an Position ${pos} von ${of}.`,
  dealsIn: (n: number) => (n === 1 ? '1 Deal ist in dieser Phase.' : `${n} Deals sind in dieser Phase.`),
  moveTo: 'Verschieben nach', chooseStage: 'Phase wählen…', lastStage: 'Ein Board braucht mindestens eine Phase.',
  deleted: (name: string) => `Phase ${name} gelöscht.`, confirmDelete: (name: string) => `Phase „${name}“ löschen?`,
  stagesHelp: 'Zum Umsortieren den Griff ziehen, oder ihn fokussieren und die Pfeiltasten drücken. Änderungen sehen alle auf dem Board sofort.',
  rename: 'Umbenennen', archive: 'Archivieren', restore: 'Wiederherstellen', delete: 'Löschen', save: 'Speichern',
  archived: 'Archiviert', active: 'Aktiv', showArchived: 'Archivierte Boards zeigen', pipeline: 'Vertriebspipeline', project: 'Projektboard',
  archivedNone: 'Keine archivierten Boards.', archivedHint: 'Archivierte Boards sind in der Board-Liste ausgeblendet und bleiben mit allen Deals erhalten; sie lassen sich jederzeit wiederherstellen.',
  typeToDelete: (name: string) => `„${name}“ eingeben, um dieses Board mit seinen Deals, Aktivitäten und Notizen endgültig zu löschen.`,
  deleteForever: 'Endgültig löschen', boardName: 'Name des Boards',
  lostReasonsHelp: 'Die Gründe, die beim Markieren eines Deals als verloren angeboten werden. Ein eigener Grund kann immer eingegeben werden.',
  addReason: 'Grund hinzufügen', newReason: 'Neuer Verlustgrund', noReasons: 'Noch keine Verlustgründe',
  noReasonsBody: 'Die Gründe hinzufügen, aus denen das Team Deals verliert: Preis, Zeitpunkt, Wettbewerber…',
  labelsHelp: 'Labels markieren Deals und Kontakte. Jedes bekommt eine Farbe, damit es auf dem Board auffällt.',
  addLabel: 'Label hinzufügen', newLabel: 'Name des neuen Labels', colour: 'Farbe', noLabels: 'Noch keine Labels',
  noLabelsBody: 'Labels wie „heiß“, „Enterprise“ oder „Partner“ hinzufügen.',
  moveUp: 'Nach oben', moveDown: 'Nach unten', remove: 'Entfernen', saved: 'Gespeichert.',
  colours: { grey: 'Grau', red: 'Rot', orange: 'Orange', yellow: 'Gelb', green: 'Grün', teal: 'Türkis', blue: 'Blau', purple: 'Lila' },
}

export type SettingsText = typeof en
export function tx(): SettingsText {
  return locale.value === 'de' ? de : en
}
