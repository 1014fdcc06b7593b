/**
 * The deal panel's E-mail section (brief J): the mail filed on the deal (`GET /api/deals/{board}/{card}/emails`)
 * — synced from members' mailboxes (INBOX and Sent), BCC'd, or written here — newest first, each
 * with its subject (as far as the reader may see it), direction, date and, for tracked mail, its
 * opens; Reply answers in the thread, "Write e-mail" starts a new one. Live: the server notes
 * `timeline:deal:<card>` in the workspace's change feed when mail is filed, and the list refetches.
 */
import { useEffect, useState } from 'preact/hooks'
import { get, type Schemas } from '../lib/api'
import { workspaceId } from '../lib/session'
import { useSyncedDoc } from '../lib/ydocs'
import { watchChanges } from '../lib/records'
import { dateTime, relative } from '../lib/format'
import { scoped } from '../i18n'
import { Icon, Spinner } from '../components/ui'
import { ComposeDialog } from './ComposeLazy'
import './deal-emails.css'

const dm = scoped('dealMail')
type Mail = Schemas['EmailAnswer']

export function DealEmails({ board, card, contact, organisation, writable }: {
  board: string; card: string; contact: string | null; organisation: string | null; writable: boolean
}) {
  const [mails, setMails] = useState<Mail[] | null>(null)
  const [error, setError] = useState('')
  const [changed, setChanged] = useState(0)
  const [compose, setCompose] = useState<{ reply?: { id: string; subject: string }; to: string[] } | null>(null)
  const ws = workspaceId.value
  const feed = useSyncedDoc(ws ? `workspace:${ws}` : null)
  useEffect(() => feed ? watchChanges(feed.doc, (keys) => {
    if (keys.some((k) => k === `timeline:deal:${card}` || k === 'timeline:*')) setChanged((n) => n + 1)
  }) : undefined, [feed, card])
  useEffect(() => {
    let live = true
    get<Mail[]>(`/api/deals/${board}/${card}/emails`).then((found) => {
      if (!live) return
      setMails([...found].sort((a, b) => b.sent_at.localeCompare(a.sent_at)))
      setError('')
    }, (e) => live && setError(e instanceof Error ? e.message : String(e)))
    return () => { live = false }
  }, [board, card, changed])

  return (
    <section class="card-surface deal-mail" aria-labelledby="deal-mail-title" data-testid="deal-emails">
      <div class="deal-mail__head">
        <h3 id="deal-mail-title">{dm('title')}{mails && mails.length > 0 && <span class="muted"> · {mails.length}</span>}</h3>
        {writable && <button type="button" class="btn btn--small" data-testid="deal-emails-write"
          onClick={() => setCompose({ to: [] })}><Icon name="email" size={14} /> {dm('write')}</button>}
      </div>
      {error ? <p class="form-error">{error}</p> : mails === null ? <Spinner /> : mails.length === 0
        ? <p class="muted" data-testid="deal-emails-empty">{dm('empty')}</p>
        : <ul class="deal-mail__list" aria-label={dm('list')}>
          {mails.map((m) => <Row key={m.id} mail={m} onReply={writable ? () => setCompose({
            reply: { id: m.id, subject: m.subject }, to: m.direction === 'in' ? [m.from_address] : m.to,
          }) : undefined} />)}
        </ul>}
      {compose && <ComposeDialog records={{ board_id: board, card_id: card, contact_id: contact, organisation_id: organisation }}
        to={compose.to} reply={compose.reply} onClose={() => setCompose(null)} onSent={() => setChanged((n) => n + 1)} />}
    </section>
  )
}

function Row({ mail, onReply }: { mail: Mail; onReply?: () => void }) {
  const out = mail.direction === 'out'
  const who = out ? dm('to', { names: mail.to.join(', ') }) : dm('from', { name: mail.from_name || mail.from_address })
  return (
    <li class="deal-mail__item" data-testid="deal-email" data-direction={mail.direction}>
      <span class={`deal-mail__dir deal-mail__dir--${mail.direction}`} aria-hidden="true">
        <Icon name="email" size={13} /></span>
      <div class="deal-mail__body">
        <div class="deal-mail__subject">
          {mail.subject ? <strong>{mail.subject}</strong> : <em class="muted">{dm('hidden')}</em>}
        </div>
        <div class="muted small deal-mail__meta">
          <span class={`tag${out ? ' tag--pipeline' : ' tag--quiet'}`}>{out ? dm('sent') : dm('received')}</span>
          <time dateTime={mail.sent_at} title={dateTime(mail.sent_at)}>{relative(mail.sent_at)}</time>
          <span class="deal-mail__who">{who}</span>
          {out && <Opens id={mail.id} />}
        </div>
      </div>
      {onReply && <button type="button" class="btn btn--small deal-mail__reply" data-testid="deal-email-reply"
        aria-label={dm('replyTo', { subject: mail.subject || dm('hidden') })} onClick={onReply}>{dm('reply')}</button>}
    </li>
  )
}

/** Opens of a tracked mail (people, not privacy proxies); nothing for one sent without tracking (404). */
function Opens({ id }: { id: string }) {
  const [opens, setOpens] = useState<number | null>(null)
  useEffect(() => {
    let live = true
    get<Schemas['TrackingStats']>(`/api/workspaces/${workspaceId.value}/emails/${id}/tracking`)
      .then((s) => live && setOpens(s.opens), () => live && setOpens(null))
    return () => { live = false }
  }, [id])
  if (opens === null) return null
  return <span data-testid="deal-email-opens">{opens > 0 ? dm('opened', { count: opens }) : dm('notOpened')}</span>
}
