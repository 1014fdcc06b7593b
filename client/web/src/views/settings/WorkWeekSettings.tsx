/**
 * Settings › Calendar: your working week — the hours a week you are available (1 to 168; 40 until
 * you set it). The team to-do list's workload strip fills each person's bar against their own week
 * (`GET`/`PUT /api/me/work-week`). Everyone's own, like the feed.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, get, type Schemas } from '../../lib/api'
import { t } from '../../i18n'
import { announce, toastError } from '../../components/ui'

type WorkWeek = Schemas['WorkWeek']

export function WorkWeekSettings() {
  const [hours, setHours] = useState('')
  useEffect(() => { get<WorkWeek>('/api/me/work-week').then((w) => setHours(String(w.weekly_hours)), toastError) }, [])
  const save = async (ev: Event) => {
    ev.preventDefault()
    try {
      const saved = await api<WorkWeek>('PUT', '/api/me/work-week', { weekly_hours: Number(hours) })
      setHours(String(saved.weekly_hours))
      announce(t('calendar.workWeekSaved', { hours: saved.weekly_hours }))
    } catch (err) { toastError(err) }
  }
  return (
    <section class="stack" aria-labelledby="work-week-title" data-testid="work-week">
      <h2 id="work-week-title">{t('calendar.workWeekTitle')}</h2>
      <p class="muted">{t('calendar.workWeekIntro')}</p>
      <form class="row" onSubmit={(ev) => void save(ev)}>
        <label class="field field--inline" for="work-week-hours"><span class="field__label">{t('calendar.workWeekHours')}</span>
          <input id="work-week-hours" type="number" min={1} max={168} step={0.5} required value={hours}
            onInput={(e) => setHours((e.target as HTMLInputElement).value)} /></label>
        <button class="btn" type="submit" disabled={!hours}>{t('calendar.workWeekSave')}</button>
      </form>
    </section>
  )
}
