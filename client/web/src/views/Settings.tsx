/**
 * Settings: one page per thing a workspace admin configures, under /w/:ws/settings/:section.
 * Members and viewers see each section read-only (they work with these lists every day: stages,
 * lost reasons, labels); guests have no settings. Add a section by adding it to `SECTIONS`.
 */
import type { ComponentType } from 'preact'
import { useEffect } from 'preact/hooks'
import { navigate } from '../lib/router'
import { isAdmin, isGuest, workspaceId } from '../lib/session'
import { Empty } from '../components/ui'
import { aut, mt, scoped, st, t, wht } from '../i18n'
import { PipelinesSettings } from './settings/Pipelines'
import { BoardsSettings } from './settings/BoardsSettings'
import { LostReasonsSettings, LabelsSettings } from './settings/Lists'
import { CustomFieldsSettings } from './settings/CustomFieldsSettings'
import { CurrenciesSettings } from './settings/CurrenciesSettings'
import { WebhooksSettings } from './settings/WebhooksSettings'
import { AutomationsSettings } from './settings/AutomationsSettings'
import { MailboxSettings, mailboxLabel } from './settings/MailboxSettings'
import { CalendarSettings } from './settings/CalendarSettings'
import { BookingSettings } from './settings/BookingSettings'
import { CalendarSyncSettings } from './settings/CalendarSyncSettings'
import { EmailTemplatesSettings } from './settings/EmailTemplatesSettings'
import { SequencesSettings } from './sequences/Sequences'
import { NotificationSettings } from './settings/NotificationSettings'
import { TeamsSettings } from './settings/TeamsSettings'
import { ExpertiseSettings } from './settings/ExpertiseSettings'
import { WorkspaceSettings } from './settings/WorkspaceSettings'
import { LeadFormsSettings, leadFormsLabel } from './leads/LeadFormsSettings'
import { LeadScoringSettings, leadScoringLabel } from './scoring/LeadScoringSettings'
import { ServiceSettings, serviceLabel } from './requests/ServiceSettings'

export interface SettingsSection {
  id: string
  label: () => string
  Page: ComponentType<{ admin: boolean }>
  personal?: boolean // the signed-in member's own (their mailbox): no read-only notice
  members?: boolean // members change it too (e-mail templates): no read-only notice
}

export const SECTIONS: SettingsSection[] = [
  { id: 'workspace', label: () => scoped('workspaceSettings')('title'), Page: WorkspaceSettings },
  { id: 'pipelines', label: () => st('pipelines'), Page: PipelinesSettings },
  { id: 'boards', label: () => st('boards'), Page: BoardsSettings },
  { id: 'teams', label: () => scoped('forecast')('teams'), Page: TeamsSettings },
  { id: 'expertise', label: () => scoped('expertise')('title'), Page: ExpertiseSettings },
  { id: 'lost-reasons', label: () => st('lostReasons'), Page: LostReasonsSettings },
  { id: 'labels', label: () => st('labels'), Page: LabelsSettings },
  { id: 'fields', label: () => mt('customFields'), Page: CustomFieldsSettings },
  { id: 'currencies', label: () => mt('currencies'), Page: CurrenciesSettings },
  { id: 'automations', label: () => aut('automations'), Page: AutomationsSettings },
  { id: 'webhooks', label: () => wht('webhooks'), Page: WebhooksSettings },
  { id: 'lead-forms', label: leadFormsLabel, Page: LeadFormsSettings },
  { id: 'lead-scoring', label: leadScoringLabel, Page: LeadScoringSettings },
  { id: 'service', label: serviceLabel, Page: ServiceSettings },
  { id: 'mailbox', label: mailboxLabel, Page: MailboxSettings, personal: true },
  { id: 'calendar', label: () => t('calendar.feedTitle'), Page: CalendarSettings },
  { id: 'notifications', label: () => t('notify.settingsTitle'), Page: NotificationSettings, personal: true },
  { id: 'booking', label: () => t('booking.settingsTitle'), Page: BookingSettings, personal: true },
  { id: 'calendar-sync', label: () => t('caldav.settingsTitle'), Page: CalendarSyncSettings, personal: true },
  { id: 'email-templates', label: () => scoped('sending')('templates'), Page: EmailTemplatesSettings, members: true },
  { id: 'sequences', label: () => scoped('sequences')('title'), Page: SequencesSettings, members: true },
]

export function SettingsPage({ section }: { section: string }) {
  const base = `/w/${workspaceId.value}/settings`
  const current = SECTIONS.find((s) => s.id === section)
  useEffect(() => {
    if (!current && !isGuest.value) navigate(`${base}/${SECTIONS[0].id}`, { replace: true })
  }, [current, base])
  if (isGuest.value && current?.id === 'notifications') {  // a guest's own: what reaches them, and how
    return (
      <div class="settings">
        <header class="page-header"><div class="page-header__title"><h1>{current.label()}</h1></div></header>
        <current.Page admin={false} />
      </div>
    )
  }
  if (isGuest.value) return <Empty title={st('settings')}>{st('readOnly')}</Empty>
  if (!current) return null
  const admin = isAdmin.value
  return (
    <div class="settings">
      <header class="page-header"><div class="page-header__title"><h1>{st('settings')}</h1></div></header>
      <div class="settings__layout">
        <nav class="settings__nav" aria-label={st('sections')}>
          {SECTIONS.map((s) => (
            <a key={s.id} href={`${base}/${s.id}`} class="settings__link" aria-current={s.id === current.id ? 'page' : undefined}>{s.label()}</a>
          ))}
        </nav>
        <section class="settings__body" aria-labelledby="settings-title">
          <h2 id="settings-title" class="settings__title">{current.label()}</h2>
          {!admin && !current.personal && !current.members && <p class="notice" data-testid="settings-read-only">{st('readOnly')}</p>}
          <current.Page admin={admin} />
        </section>
      </div>
    </div>
  )
}
