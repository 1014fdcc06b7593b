/** The bell in the top bar: the unread count of your in-app notifications (automations' notify
 * action writes them) and a panel listing them, newest first, each linking to its deal. Polled
 * every 30 s, when the tab becomes visible again and whenever the panel opens; opening a notification's deal marks it read. */
import { useEffect, useRef, useState } from 'preact/hooks'
import { get, post, type Schemas } from '../lib/api'
import { relative } from '../lib/format'
import { navigate } from '../lib/router'
import { scoped, t } from '../i18n'
import { Icon, announce, toastError } from './ui'
import { workspaceId } from '../lib/session'
import './notify.css'

type Notification = Schemas['Notification']
const POLL_MS = 30_000
const lt = scoped('bookingLinks')

export function NotificationBell() {
  const [open, setOpen] = useState(false)
  const [items, setItems] = useState<Notification[]>([])
  const [unread, setUnread] = useState(0)
  const button = useRef<HTMLButtonElement>(null)
  const panel = useRef<HTMLDivElement>(null)

  async function refresh() {
    try {
      const found = await get<Schemas['Notifications']>('/api/me/notifications')
      setItems(found.notifications)
      setUnread(found.unread)
    } catch {
      // offline or signed out: the next poll tries again
    }
  }

  useEffect(() => {
    void refresh()
    const timer = setInterval(() => void refresh(), POLL_MS)
    const visible = () => { if (document.visibilityState === 'visible') void refresh() }
    document.addEventListener('visibilitychange', visible)
    return () => {
      clearInterval(timer)
      document.removeEventListener('visibilitychange', visible)
    }
  }, [])

  useEffect(() => {
    if (!open) return
    void refresh()
    panel.current?.focus()
    const outside = (e: MouseEvent) => {
      if (!panel.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false)
    }
    const escape = (e: KeyboardEvent) => { if (e.key === 'Escape') close() }
    document.addEventListener('mousedown', outside)
    document.addEventListener('keydown', escape)
    return () => {
      document.removeEventListener('mousedown', outside)
      document.removeEventListener('keydown', escape)
    }
  }, [open])

  function close() {
    setOpen(false)
    button.current?.focus()
  }

  async function markRead(n: Notification) {
    if (n.read_at) return
    try {
      await post(`/api/me/notifications/${n.id}/read`)
      await refresh()
      if (panel.current && !panel.current.contains(document.activeElement)) panel.current.focus()  // its button is gone
    } catch (e) {
      toastError(e)
    }
  }

  async function openDeal(event: Event, n: Notification) {
    event.preventDefault()
    setOpen(false)
    void markRead(n)
    if (n.board_id && n.card_id) navigate(`/w/${n.workspace_id}/boards/${n.board_id}/deals/${n.card_id}`)
  }

  /** A booking request (its notification's id is the request's): open it in Settings › Booking. */
  function openRequest(event: Event, n: Notification) {
    event.preventDefault()
    setOpen(false)
    navigate(`/w/${n.workspace_id}/settings/booking?request=${n.id}`)
  }

  async function decide(n: Notification, verb: 'confirm' | 'decline') {
    try {
      await post(`/api/me/booking/requests/${n.id}/${verb}`)  // the server marks the entry read
      announce(lt(verb === 'confirm' ? 'confirmed' : 'declined'))
      await refresh()
      if (panel.current && !panel.current.contains(document.activeElement)) panel.current.focus()
    } catch (e) {
      toastError(e)
    }
  }

  async function markAll() {
    try {
      await post('/api/me/notifications/read')
      await refresh()
    } catch (e) {
      toastError(e)
    }
  }

  const label = unread ? t('notifications.titleUnread', { count: unread }) : t('notifications.title')
  return (
    <div class="bell">
      <button ref={button} class="icon-btn bell__button" aria-label={label} title={label} aria-expanded={open}
        aria-controls="notifications-panel" data-testid="notifications-bell" onClick={() => setOpen(!open)}>
        <Icon name="bell" />
        {unread > 0 && <span class="bell__count" aria-hidden="true" data-testid="notifications-unread">{unread > 99 ? '99+' : unread}</span>}
      </button>
      {open && (
        <div ref={panel} id="notifications-panel" class="bell__panel" role="dialog" aria-label={t('notifications.title')}
          tabIndex={-1}>
          <div class="bell__head">
            <strong>{t('notifications.title')}</strong>
            {unread > 0 && <button class="btn btn--ghost btn--small" onClick={() => void markAll()}>{t('notifications.markAllRead')}</button>}
            {workspaceId.value && (
              <a class="btn btn--ghost btn--small" href={`/w/${workspaceId.value}/settings/notifications`} data-testid="notifications-settings"
                onClick={(e) => { e.preventDefault(); setOpen(false); navigate(`/w/${workspaceId.value}/settings/notifications`) }}>{t('notify.settingsLink')}</a>
            )}
          </div>
          {items.length === 0 ? <p class="muted bell__empty">{t('notifications.none')}</p> : (
            <ul class="bell__list">
              {items.map((n) => (
                <li key={n.id} class={`bell__item${n.read_at ? '' : ' bell__item--unread'}`} data-testid="notification">
                  {n.kind === 'reminder' && <strong class="bell__kind">{t('calendar.reminder')}: </strong>}
                  {n.kind === 'booking_request' && <strong class="bell__kind">{lt('bell')}: </strong>}
                  {n.kind === 'mentioned' && n.actor
                    ? <strong class="bell__kind">{t('notify.label_mentioned_by', { name: n.actor })}: </strong>
                    : (n.kind === 'mentioned' || n.kind === 'assigned' || n.kind === 'deal_changed') && <strong class="bell__kind">{t(`notify.label_${n.kind}`)}: </strong>}
                  {n.kind === 'booking_request'
                    ? <a href={`/w/${n.workspace_id}/settings/booking?request=${n.id}`} aria-label={lt('bellOpen', { message: n.message })}
                      onClick={(e) => openRequest(e, n)}>{n.message}</a>
                    : n.board_id && n.card_id
                    ? <a href={`/w/${n.workspace_id}/boards/${n.board_id}/deals/${n.card_id}`} onClick={(e) => void openDeal(e, n)}>{n.message}</a>
                    : <span>{n.message}</span>}
                  <span class="bell__meta">
                    <span class="muted">{relative(n.created_at)}</span>
                    {n.kind === 'booking_request' && !n.read_at ? (
                      <>
                        <button class="btn btn--primary btn--small" data-testid="bell-confirm" onClick={() => void decide(n, 'confirm')}
                          aria-label={t('booking.confirmOf', { name: n.message })}>{t('booking.confirm')}</button>
                        <button class="btn btn--ghost btn--small" data-testid="bell-decline" onClick={() => void decide(n, 'decline')}
                          aria-label={t('booking.declineOf', { name: n.message })}>{t('booking.decline')}</button>
                      </>
                    ) : !n.read_at && <button class="btn btn--ghost btn--small" onClick={() => void markRead(n)}>{t('notifications.markRead')}</button>}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  )
}
