/**
 * A contact's or organisation's timeline (`GET /api/{contacts|organisations}/{id}/timeline`):
 * deals, activities and notes that touched it, newest first, a page at a time. Each entry shows
 * what every kind has — its kind, when, who and a title that links where it leads — so kinds
 * the server adds later (mails, files) show up here before this screen knows them.
 */
import { useEffect, useState } from 'preact/hooks'
import { get, type Schemas } from '../../lib/api'
import { boards, memberName, workspaceId } from '../../lib/session'
import { dateTime, money, relative, shortDate } from '../../lib/format'
import { recordName, watchChanges, type RecordKind } from '../../lib/records'
import { useSyncedDoc } from '../../lib/ydocs'
import { Icon, Spinner, toastError } from '../../components/ui'
import { t } from '../../i18n'
import { rt, scoped } from '../../i18n'
import '../settings/mailbox.css'
import { fileSize, filesChanged } from '../../components/Files'

const mt = scoped('sending')
const mbt = scoped('mailboxes')

type Item = Schemas['RecordTimeline']['items'][number]
const PAGE = 20

export function Timeline({ kind, id, name, reload = 0, onReply }: {
  kind: RecordKind; id: string; name: string
  reload?: number  // changes when something new should show (a mail just sent)
  onReply?: (mail: { id: string; subject: string; from: string; incoming: boolean }) => void
}) {
  const [items, setItems] = useState<Item[] | null>(null)
  const [next, setNext] = useState<number | null>(null)
  const [error, setError] = useState('')
  const load = (offset: number) => get<Schemas['RecordTimeline']>(`/api/${kind}/${id}/timeline?limit=${PAGE}&offset=${offset}`)
  const files = filesChanged.value  // a file uploaded or deleted: it shows here
  // Live (brief J): mail filed or sent, a file added, an activity changed — the server notes it in the
  // workspace's change feed, and the first page is read again in place (no spinner, no reload).
  const ws = workspaceId.value
  const feed = useSyncedDoc(ws ? `workspace:${ws}` : null)
  const key = `timeline:${kind === 'contacts' ? 'contact' : 'organisation'}:${id}`
  useEffect(() => feed ? watchChanges(feed.doc, (keys) => {
    if (!keys.some((k) => k === key || k === 'timeline:*' || k.startsWith('activities:'))) return
    load(0).then((page) => { setItems(page.items); setNext(page.next_offset) }, () => {})
  }) : undefined, [feed, key])
  useEffect(() => {
    let live = true
    setItems(null)
    load(0).then((page) => { if (live) { setItems(page.items); setNext(page.next_offset) } },
      (e) => live && setError(e instanceof Error ? e.message : String(e)))
    return () => { live = false }
  }, [kind, id, reload, files])
  async function more() {
    if (next === null) return
    try {
      const page = await load(next)
      setItems([...(items ?? []), ...page.items])
      setNext(page.next_offset)
    } catch (e) {
      toastError(e)
    }
  }
  return (
    <section class="card-surface" aria-labelledby="record-timeline">
      <h2 id="record-timeline">{rt('timeline')}</h2>
      {error ? <p class="form-error">{error}</p> : items === null ? <Spinner /> : items.length === 0
        ? <p class="muted">{rt('timelineEmpty', { name })}</p>
        : <>
          <ol class="timeline" aria-label={rt('timelineLabel', { name })} data-testid="record-timeline">
            {items.map((item) => <Entry key={`${item.kind}:${item.id}`} item={item} onOrganisation={kind === 'organisations'} onReply={onReply} />)}
          </ol>
          {next !== null && <p class="center"><button class="btn btn--small" onClick={more}>{t('common.loadMore')}</button></p>}
        </>}
    </section>
  )
}

function Entry({ item, onOrganisation, onReply }: {
  item: Item; onOrganisation: boolean; onReply?: (mail: { id: string; subject: string; from: string; incoming: boolean }) => void
}) {
  const ws = workspaceId.value
  const deal = (card: string | null) => (card ? `/w/${ws}/boards/${item.board_id}/deals/${card}` : null)
  const board = boards.value.find((b) => b.id === item.board_id)?.name
  let icon = 'note'
  let href: string | null = null
  let what = ''
  let extra: preact.ComponentChildren = null
  const [mail, setMail] = useState<string | null>(null) // an e-mail's text, once opened
  if (item.kind === 'deal') {
    icon = 'board'
    href = deal(item.card_id)
    what = rt('dealOpened')
    extra = <>{item.value != null && <span>{money(item.value, item.currency ?? 'EUR')}</span>}
      {item.status !== 'open' && <span class={`tag tag--${item.status}`}>{t(`statusTag.${item.status}`)}</span>}</>
  } else if (item.kind === 'activity') {
    icon = item.type
    href = deal(item.card_id)
    what = t(`activityType.${item.type}`)
    extra = item.done ? <span class="tag">{rt('activityDone')}</span>
      : item.due_date ? <span class="muted">{rt('due', { date: shortDate(item.due_date) })}</span> : null
  } else if (item.kind === 'note') {
    href = item.card_id ? deal(item.card_id) : item.contact_id && onOrganisation ? `/w/${ws}/contacts/${item.contact_id}` : null
    what = rt('note')
  } else if (item.kind === 'file') {
    icon = 'import'
    href = item.url  // a download (the server sends it as an attachment)
    what = scoped('files')('onTimeline')
    extra = <span class="muted">{fileSize(item.size)}</span>
  } else if (item.kind === 'request') {
    icon = 'flame'
    href = `/w/${ws}/requests?request=${item.id}`
    what = scoped('requests')('onTimeline')
    extra = <span class={`tag tag--request-${item.status}`}>{scoped('requests')(`status.${item.status}` as never)}</span>
  } else if (item.kind === 'email') {
    icon = 'email'
    what = item.direction === 'out' ? mt('mailSent') : mt('mailReceived')
    extra = <>{item.snippet && <span class="muted timeline__snippet">{item.snippet}</span>}
      {item.direction === 'out' && <MailStats id={item.id} />}
      {onReply && <button type="button" class="btn btn--small" data-testid="timeline-reply"
        onClick={() => onReply({ id: item.id, subject: item.title, from: item.from_address, incoming: item.direction === 'in' })}>{mt('reply')}</button>}
      {item.visibility === 'everything' && <button type="button" class="btn btn--small" aria-expanded={mail !== null}
        onClick={() => void readMail(item.id, mail, setMail)}>{mail === null ? mbt('read') : mbt('hide')}</button>}</>
  }
  return (
    <li class="timeline__item">
      <span class="timeline__icon" aria-hidden="true"><Icon name={icon} size={14} /></span>
      <div class="timeline__body">
        <div class="timeline__title">
          <span class="timeline__kind">{what}</span>
          {href ? <a href={href}>{item.title}</a> : item.title || item.kind !== 'email' ? <strong>{item.title}</strong>
            : <em class="muted" title={mbt('notShared')}>{mbt('hiddenSubject')}</em>}
          {extra}
        </div>
        <div class="muted small">
          {item.at && <time dateTime={item.at} title={dateTime(item.at)}>{relative(item.at)}</time>}
          {item.actor_id && <> · {rt('by', { name: memberName(item.actor_id) })}</>}
          {item.kind === 'email' && <> · {item.direction === 'in' ? mbt('from', { name: item.from_name || item.from_address })
            : mbt('to', { names: item.to.join(', ') })}</>}
          {board && <> · {board}</>}
          {onOrganisation && item.contact_id && <> · <About id={item.contact_id} /></>}
        </div>
        {mail !== null && <div class="timeline__mail" data-testid="timeline-email-body">{mail}</div>}
      </div>
    </li>
  )
}

/** Open (or close) a filed e-mail's text: `GET /api/emails/{id}`, as far as the reader may see it. */
async function readMail(id: string, open: string | null, set: (text: string | null) => void) {
  if (open !== null) { set(null); return }
  try {
    set((await get<Schemas['EmailAnswer']>(`/api/emails/${id}`)).body_text)
  } catch (e) {
    toastError(e)
  }
}

/** "about Ada Lovelace": which of an organisation's people an entry belongs to. */
function About({ id }: { id: string }) {
  const [name, setName] = useState('')
  useEffect(() => { recordName('contacts', id).then(setName, () => setName('')) }, [id])
  return name ? <a href={`/w/${workspaceId.value}/contacts/${id}`}>{rt('noteAbout', { name })}</a> : null
}

/** An organisation's deals: its own and its people's (`GET /api/organisations/{id}/links`). */
export function OrganisationDeals({ id, name }: { id: string; name: string }) {
  const [deals, setDeals] = useState<Schemas['LinkedDeal'][] | null>(null)
  const ws = workspaceId.value
  useEffect(() => {
    get<Schemas['OrganisationLinks']>(`/api/organisations/${id}/links`).then((l) => setDeals(l.deals), () => setDeals([]))
  }, [id])
  const boardName = (bid: string) => boards.value.find((b) => b.id === bid)?.name ?? ''
  return (
    <section class="card-surface" aria-labelledby="org-deals">
      <h2 id="org-deals">{rt('orgDeals')}</h2>
      {deals === null ? <Spinner /> : deals.length === 0 ? <p class="muted">{rt('orgDealsEmpty', { name })}</p> : (
        <ul class="link-list" data-testid="organisation-deals">{deals.map((d) => (
          <li key={d.card_id}><a href={`/w/${ws}/boards/${d.board_id}/deals/${d.card_id}`}>{d.title}</a>
            <span class="muted">{boardName(d.board_id)}</span>
            {d.value != null && <span>{money(d.value, d.currency ?? 'EUR')}</span>}
            {d.status !== 'open' && <span class={`tag tag--${d.status}`}>{d.status}</span>}</li>
        ))}</ul>
      )}
    </section>
  )
}

/** A sent mail's delivery (sending / not delivered), and its opens and clicks asked for on a click (404: not tracked). */
function MailStats({ id }: { id: string }) {
  const [stats, setStats] = useState<Schemas['TrackingStats'] | null | 'untracked'>(null)
  const [delivery, setDelivery] = useState('sent')
  useEffect(() => {  // asked again until it is final: the send job may still be running when the entry shows
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let wait = 1000
    const check = () => get<Schemas['Delivery']>(`/api/workspaces/${workspaceId.value}/emails/${id}/delivery`).then((d) => {
      if (stopped) return
      setDelivery(d.status)
      if (d.status !== 'sent' && d.status !== 'failed') {
        timer = setTimeout(check, wait)
        wait = Math.min(wait * 2, 30_000)
      }
    }, () => {})
    check()
    return () => { stopped = true; clearTimeout(timer) }
  }, [id])
  if (delivery !== 'sent') {
    return <span class={`tag${delivery === 'failed' ? ' tag--lost' : ''}`} data-testid="mail-delivery" data-status={delivery}>
      {delivery === 'failed' ? mt('notDelivered') : mt('sending')}</span>
  }
  if (stats === null) {
    return <button type="button" class="btn btn--small" data-testid="mail-stats-button" onClick={() =>
      get<Schemas['TrackingStats']>(`/api/workspaces/${workspaceId.value}/emails/${id}/tracking`)
        .then(setStats, () => setStats('untracked'))}>{mt('stats')}</button>
  }
  if (stats === 'untracked') return <span class="muted" data-testid="mail-stats">{mt('untracked')}</span>
  return <span class="muted" data-testid="mail-stats">{mt('statsLine', { opens: stats.opens, proxy: stats.proxy_opens, clicks: stats.clicks })}</span>
}
