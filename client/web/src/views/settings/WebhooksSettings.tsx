/**
 * Settings → Webhooks (issue 16): the workspace's webhook subscriptions. Admins add one (a URL and
 * the events it gets, as checkboxes), see its signing secret once (with a copy button), enable,
 * disable or delete it, and read each one's delivery log with the outcome of every attempt.
 * A subscription that failed too often in a row is shown disabled with the reason. Members and
 * viewers do not see webhooks (the API answers them 403).
 */
import { useEffect, useState } from 'preact/hooks'
import { api, type Schemas } from '../../lib/api'
import { workspaceId } from '../../lib/session'
import { dateTime } from '../../lib/format'
import { Empty, Icon, Spinner, announce, toastError } from '../../components/ui'
import { wht } from '../../i18n'

type Webhook = Schemas['WebhookAnswer']
type Attempt = Schemas['DeliveryAttempt']

export function WebhooksSettings({ admin }: { admin: boolean }) {
  const ws = workspaceId.value!
  const base = `/api/workspaces/${ws}/webhooks`
  const [hooks, setHooks] = useState<Webhook[] | null>(null)
  const [events, setEvents] = useState<string[]>([])
  const [url, setUrl] = useState('')
  const [chosen, setChosen] = useState<string[]>([])
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null)
  const [open, setOpen] = useState<string | null>(null)
  async function load() {
    try {
      setHooks(await api<Webhook[]>('GET', base))
    } catch (e) {
      toastError(e)
    }
  }
  useEffect(() => {
    if (!admin) return
    void load()
    void api<string[]>('GET', `${base}/events`).then(setEvents, toastError)
  }, [ws, admin])
  if (!admin) return <Empty title={wht('adminsOnly')}>{wht('help')}</Empty>
  if (!hooks) return <Spinner />
  async function add(e: Event) {
    e.preventDefault()
    if (!chosen.length) { toastError(new Error(wht('chooseEvents'))); return }
    try {
      const made = await api<Schemas['CreatedWebhook']>('POST', base, { url, events: chosen })
      setSecret({ id: made.id, secret: made.secret })
      setUrl('')
      setChosen([])
      announce(wht('added'))
      await load()
    } catch (err) {
      toastError(err)
    }
  }
  async function change(hook: Webhook, body: Schemas['WebhookChange']) {
    try {
      await api('PATCH', `${base}/${hook.id}`, body)
      announce(body.enabled ? wht('enabledNow') : wht('disabledNow'))
      await load()
    } catch (e) {
      toastError(e)
    }
  }
  async function remove(hook: Webhook) {
    if (!confirm(wht('confirmDelete', { url: hook.url }))) return
    try {
      await api('DELETE', `${base}/${hook.id}`)
      if (secret?.id === hook.id) setSecret(null)
      announce(wht('deleted'))
      await load()
    } catch (e) {
      toastError(e)
    }
  }
  return (
    <div class="webhooks" data-testid="webhook-settings">
      <p class="muted settings__help">{wht('help')}</p>
      {secret && (
        <div class="notice webhooks__secret" role="status" data-testid="webhook-secret">
          <strong>{wht('secretTitle')}</strong>
          <p>{wht('secretOnce')}</p>
          <div class="row">
            <code data-testid="webhook-secret-value">{secret.secret}</code>
            <button type="button" class="btn btn--small" onClick={() => {
              void navigator.clipboard?.writeText(secret.secret).then(() => announce(wht('copied')), toastError)
            }}><Icon name="check" size={14} />{wht('copy')}</button>
            <button type="button" class="btn btn--small" onClick={() => setSecret(null)}>{wht('done')}</button>
          </div>
        </div>
      )}
      <section class="settings__group" aria-labelledby="webhooks-list">
        <h3 id="webhooks-list">{wht('subscriptions')}</h3>
        {hooks.length === 0 ? <Empty title={wht('none')}>{wht('noneBody')}</Empty> : (
          <ul class="webhooks__list">
            {hooks.map((hook) => (
              <li key={hook.id} class="webhooks__item" data-testid="webhook-row" data-url={hook.url}>
                <div class="webhooks__head">
                  <code class="webhooks__url">{hook.url}</code>
                  {hook.enabled
                    ? <span class="tag tag--won" data-testid="webhook-state">{wht('enabled')}</span>
                    : <span class="tag tag--lost" data-testid="webhook-state">{wht('disabled')}</span>}
                </div>
                <p class="muted">{hook.events.join(', ')}</p>
                {hook.disabled_reason && <p class="notice" data-testid="webhook-disabled-reason">
                  {wht('disabledBecause', { reason: hook.disabled_reason })}</p>}
                <div class="row">
                  <button type="button" class="btn btn--small" onClick={() => void change(hook, { enabled: !hook.enabled })}>
                    {hook.enabled ? wht('disable') : wht('enable')}</button>
                  <button type="button" class="btn btn--small" aria-expanded={open === hook.id}
                    onClick={() => setOpen(open === hook.id ? null : hook.id)}>{wht('deliveries')}</button>
                  <button type="button" class="btn btn--small btn--danger" onClick={() => void remove(hook)}>{wht('delete')}</button>
                </div>
                {open === hook.id && <Deliveries path={`${base}/${hook.id}/deliveries`} />}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="settings__group" aria-labelledby="webhooks-add">
        <h3 id="webhooks-add">{wht('add')}</h3>
        <form class="webhooks__form" onSubmit={(e) => void add(e)}>
          <label class="field">
            <span class="field__label">{wht('url')}</span>
            <input type="url" required placeholder="https://example.com/tandem" value={url}
              onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
          </label>
          <fieldset class="webhooks__events">
            <legend>{wht('events')}</legend>
            {events.map((event) => (
              <label key={event} class="webhooks__event">
                <input type="checkbox" checked={chosen.includes(event)} onChange={(e) => {
                  const on = (e.target as HTMLInputElement).checked
                  setChosen(on ? [...chosen, event] : chosen.filter((x) => x !== event))
                }} />
                <code>{event}</code>
              </label>
            ))}
          </fieldset>
          <button class="btn btn--primary btn--small"><Icon name="plus" size={16} />{wht('addButton')}</button>
        </form>
      </section>
    </div>
  )
}

function Deliveries({ path }: { path: string }) {
  const [attempts, setAttempts] = useState<Attempt[] | null>(null)
  useEffect(() => { void api<Attempt[]>('GET', path).then(setAttempts, toastError) }, [path])
  if (!attempts) return <Spinner />
  if (!attempts.length) return <p class="muted" data-testid="webhook-deliveries">{wht('noDeliveries')}</p>
  return (
    <table class="rates webhooks__log" data-testid="webhook-deliveries">
      <caption class="sr-only">{wht('deliveries')}</caption>
      <thead><tr>
        <th scope="col">{wht('when')}</th><th scope="col">{wht('event')}</th><th scope="col">{wht('attempt')}</th>
        <th scope="col">{wht('status')}</th><th scope="col">{wht('duration')}</th><th scope="col">{wht('result')}</th>
      </tr></thead>
      <tbody>
        {attempts.map((a) => (
          <tr key={a.id} data-testid="webhook-attempt" data-delivered={a.delivered ? 'yes' : 'no'}>
            <td>{dateTime(a.at)}</td>
            <td><code>{a.event}</code></td>
            <td>{a.attempt}</td>
            <td>{a.status ?? '—'}</td>
            <td>{wht('ms', { ms: a.duration_ms })}</td>
            <td>{a.delivered
              ? <span class="tag tag--won">{wht('delivered')}</span>
              : <span class="tag tag--lost" title={a.error ?? ''}>{wht('failed')}</span>}
              {!a.delivered && a.error && <span class="muted"> {a.error}</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
