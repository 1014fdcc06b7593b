/**
 * Settings › Calendar (issue 18): your private iCalendar feed — made, shown once (only a hash of its
 * token is kept), re-made (the old address stops working) or revoked; and your working week
 * (`WorkWeekSettings`). Everyone's own: not admin-only.
 */
import { useEffect, useState } from 'preact/hooks'
import { del, get, post, type Schemas } from '../../lib/api'
import { relative } from '../../lib/format'
import { t } from '../../i18n'
import { Spinner, announce, toastError } from '../../components/ui'
import { WorkWeekSettings } from './WorkWeekSettings'

type Feed = Schemas['CalendarFeed']

export function CalendarSettings() {
  const [feed, setFeed] = useState<Feed | null>(null)
  const [copied, setCopied] = useState(false)
  useEffect(() => { get<Feed>('/api/me/calendar-feed').then(setFeed, toastError) }, [])
  if (!feed) return <Spinner label={t('common.loading')} />
  const make = () => post<Feed>('/api/me/calendar-feed').then((f) => { setFeed(f); setCopied(false) }, toastError)
  const revoke = () => del('/api/me/calendar-feed').then(() => { setFeed({ active: false }); announce(t('calendar.feedRevoked')) }, toastError)
  return (
    <div class="stack" data-testid="calendar-feed">
      <p>{t('calendar.feedIntro')}</p>
      <p class="muted">{feed.active ? t('calendar.feedActive', { when: relative(feed.created_at ?? '') }) : t('calendar.feedNone')}</p>
      {feed.url && (
        <div class="field">
          <label class="field__label" for="feed-url">{t('calendar.feedUrl')}</label>
          <div class="row">
            <input id="feed-url" class="grow" readOnly value={feed.url} onFocus={(e) => (e.target as HTMLInputElement).select()} />
            <button class="btn" onClick={() => navigator.clipboard?.writeText(feed.url!).then(() => setCopied(true), toastError)}>
              {copied ? t('calendar.copied') : t('calendar.copy')}
            </button>
          </div>
        </div>
      )}
      <div class="row">
        <button class="btn btn--primary" onClick={() => void make()}>{feed.active ? t('calendar.feedRenew') : t('calendar.feedCreate')}</button>
        {feed.active && <button class="btn btn--danger" onClick={() => void revoke()}>{t('calendar.feedRevoke')}</button>}
      </div>
      {feed.active && <p class="muted small">{t('calendar.feedRenewHint')}</p>}
      <WorkWeekSettings />
    </div>
  )
}
