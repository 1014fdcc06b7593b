/**
 * One request (docs/service.md): status, priority and assignee controls, the customer panel with a
 * link to the contact, its times, and the conversation in order — the customer's messages, replies
 * and internal notes — with a composer for a reply or a note. Also the dialog that adds a request
 * by hand (from the queue, or from a contact with the customer filled in).
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, type Schemas } from '../../lib/api'
import { canEdit, me, memberName, members, workspaceId } from '../../lib/session'
import { dateTime, relative } from '../../lib/format'
import { Avatar, Icon, Spinner, announce, toast, toastError } from '../../components/ui'
import { rt, RequestTags } from './RequestsPage'

type Conversation = Schemas['Conversation']
type Message = Conversation['messages'][number]
const STATUSES = ['new', 'open', 'waiting', 'solved', 'closed'] as const
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const
const CHANNELS = ['phone', 'email', 'web', 'manual'] as const

export function RequestView({ id, onClose, onChanged }: { id: string; onClose: () => void; onChanged: () => Promise<void> }) {
  const [found, setFound] = useState<Conversation | null>(null)
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => { api<Conversation>('GET', `/api/requests/${id}`).then(setFound, toastError) }, [id])
  useEffect(() => { if (found) heading.current?.focus() }, [found?.request.id])
  if (!found) return <aside class="request-view card-surface"><Spinner /></aside>
  const r = found.request
  const editable = canEdit.value && r.status !== 'closed'

  async function change(payload: Record<string, unknown>) {
    try {
      setFound(await api<Conversation>('PATCH', `/api/requests/${id}`, payload))
      announce(rt('saved'))
      await onChanged()
    } catch (e) {
      toastError(e)
    }
  }
  const select = (label: string, value: string, options: readonly string[], name: string, text: (o: string) => string, testid: string) => (
    <label class="field">
      <span class="field__label">{label}</span>
      <select value={value} disabled={!editable} data-testid={testid}
        onChange={(e) => void change({ [name]: (e.target as HTMLSelectElement).value || null })}>
        {options.map((o) => <option key={o} value={o}>{text(o)}</option>)}
      </select>
    </label>
  )
  return (
    <aside class="request-view card-surface" aria-labelledby="request-view-title" data-testid="request-view"
      onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <header class="dialog__header">
        <h2 id="request-view-title" tabIndex={-1} ref={heading}>{r.subject}</h2>
        <button class="icon-btn" aria-label={rt('closeDetail')} onClick={onClose}><Icon name="close" /></button>
      </header>
      <p class="row row--wrap request-view__meta"><RequestTags request={r} />
        <span class="tag tag--quiet">{rt(`channel.${r.channel}`)}</span></p>
      {r.status === 'closed' && <p class="notice">{rt('closedNote')}</p>}
      <div class="request-view__controls">
        {select(rt('statusLabel'), r.status, STATUSES.filter((s) => s !== 'new' || r.status === 'new'), 'status', (s) => rt(`status.${s}` as never), 'request-status')}
        {select(rt('priorityLabel'), r.priority, PRIORITIES, 'priority', (p) => rt(`priority.${p}` as never), 'request-priority')}
        {select(rt('assignee'), r.assignee ?? '', ['', ...members.value.map((m) => m.user.id)], 'assignee',
          (m) => m ? memberName(m) : rt('unassigned'), 'request-assignee')}
      </div>
      <Customer request={r} editable={editable} onDeal={(board, deal) => void change({ board, deal })} />
      <dl class="request-view__times">
        <dt>{rt('created')}</dt><dd>{dateTime(r.created_at)}</dd>
        <dt>{rt('dueBy')}</dt><dd>{dateTime(r.due_at)}</dd>
        <dt>{rt('firstResponse')}</dt><dd>{r.first_response_at ? dateTime(r.first_response_at) : rt('notYet')}</dd>
        {r.solved_at && <><dt>{rt('solvedAt')}</dt><dd>{dateTime(r.solved_at)}</dd></>}
      </dl>
      <section aria-labelledby="request-conversation">
        <h3 id="request-conversation">{rt('conversation')}</h3>
        {found.messages.length === 0 ? <p class="muted">{rt('noMessages')}</p> : (
          <ol class="request-messages" data-testid="request-messages">
            {found.messages.map((m) => <MessageItem key={m.id} message={m} customer={r.contact_name} />)}
          </ol>
        )}
      </section>
      {editable && <Composer id={id} status={r.status} replyTo={found.reply_to} onDone={async (next) => { setFound(next); await onChanged() }} />}
    </aside>
  )
}

function Customer({ request, editable, onDeal }: { request: Schemas['ServiceRequest']; editable: boolean; onDeal: (board: string | null, deal: string | null) => void }) {
  const ws = workspaceId.value
  const [deals, setDeals] = useState<Schemas['LinkedDeal'][]>([])
  useEffect(() => {
    if (!request.contact) return
    api<Schemas['ContactLinks']>('GET', `/api/contacts/${request.contact}/links`).then((l) => setDeals(l.deals), () => setDeals([]))
  }, [request.contact])
  const current = request.deal && request.board ? `${request.board}/${request.deal}` : ''
  return (
    <section class="request-view__customer" aria-label={rt('customer')}>
      <span class="field__label">{rt('customer')}</span>
      {request.contact ? (
        <a class="person" href={`/w/${ws}/contacts/${request.contact}`} data-testid="request-customer">
          <Avatar id={request.contact} name={request.contact_name ?? '?'} size={22} />{request.contact_name}
        </a>
      ) : <span class="muted">{rt('noCustomer')}</span>}
      {request.organisation && <a class="small" href={`/w/${ws}/organisations/${request.organisation}`}>{rt('organisation')}</a>}
      {request.deal && request.board && <a class="small" href={`/w/${ws}/boards/${request.board}/deals/${request.deal}`} data-testid="request-deal-link">{rt('openDeal')}</a>}
      {editable && deals.length > 0 && (
        <label class="field request-view__deal"><span class="field__label">{rt('deal')}</span>
          <select value={current} data-testid="request-deal" onChange={(e) => {
            const [board, deal] = ((e.target as HTMLSelectElement).value || '/').split('/')
            onDeal(board || null, deal || null)
          }}>
            <option value="">{rt('noDeal')}</option>
            {deals.map((d) => <option key={d.card_id} value={`${d.board_id}/${d.card_id}`}>{d.title}</option>)}
          </select>
        </label>
      )}
    </section>
  )
}

function MessageItem({ message, customer }: { message: Message; customer: string | null }) {
  const who = message.kind === 'inbound' ? (customer ?? message.sender) || rt('inbound') : memberName(message.author)
  return (
    <li class={`request-message request-message--${message.kind}`} data-testid={`request-message-${message.kind}`}>
      <header class="row row--wrap">
        <strong>{who}</strong>
        <span class="tag tag--quiet">{rt(message.kind === 'inbound' ? 'inbound' : message.kind)}</span>
        {message.mailed && <span class="muted small"><Icon name="email" size={13} /> {rt('mailed')}</span>}
        <time class="muted small" dateTime={message.created_at} title={dateTime(message.created_at)}>{relative(message.created_at)}</time>
      </header>
      <p class="request-message__body">{message.body}</p>
    </li>
  )
}

function Composer({ id, status, replyTo, onDone }: { id: string; status: string; replyTo: string | null; onDone: (next: Conversation) => Promise<void> }) {
  const [kind, setKind] = useState<'reply' | 'note'>('reply')
  const [text, setText] = useState('')
  const [mail, setMail] = useState(false) // a reply goes by e-mail when the customer has an address and mail can leave
  const [canMail, setCanMail] = useState(false)
  useEffect(() => {
    if (!replyTo) return
    api<Schemas['MailRoute']>('GET', `/api/workspaces/${workspaceId.value}/emails/route`)
      .then((route) => { setCanMail(route.via !== 'none'); setMail(route.via !== 'none') }, () => setCanMail(false))
  }, [replyTo])
  async function send(wait: boolean) {
    if (!text.trim()) return
    try {
      const next = await api<Conversation>('POST', `/api/requests/${id}/messages`,
        { kind, body: text, status: wait && status !== 'waiting' ? 'waiting' : null, send: kind === 'reply' && mail && canMail })
      setText('')
      const said = kind === 'reply' ? rt('sent') : rt('noted')
      announce(said)
      toast(said)
      await onDone(next)
    } catch (e) {
      toastError(e)
    }
  }
  return (
    <form class="request-composer" onSubmit={(e) => { e.preventDefault(); void send(false) }} data-testid="request-composer">
      <div class="request-composer__kinds" role="radiogroup" aria-label={rt('messageText')}>
        {(['reply', 'note'] as const).map((k) => (
          <label key={k} class={`chip${kind === k ? ' is-on' : ''}`}>
            <input type="radio" name="request-kind" value={k} checked={kind === k} onChange={() => setKind(k)} class="sr-only" />
            {k === 'reply' ? rt('replyTo') : rt('addNote')}
          </label>
        ))}
      </div>
      <label class="field"><span class="sr-only">{rt('messageText')}</span>
        <textarea rows={4} value={text} placeholder={kind === 'reply' ? rt('replyPlaceholder') : rt('notePlaceholder')}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} data-testid="request-text" />
      </label>
      {kind === 'reply' && replyTo && canMail && (
        <label class="row request-composer__mail">
          <input type="checkbox" checked={mail} onChange={(e) => setMail((e.target as HTMLInputElement).checked)} data-testid="request-send-mail" />
          {rt('sendByMail', { address: replyTo })}
        </label>
      )}
      <div class="row row--wrap">
        <button class="btn btn--primary" data-testid="request-send">{kind === 'reply' ? rt('send') : rt('saveNote')}</button>
        {kind === 'reply' && status !== 'waiting' &&
          <button type="button" class="btn btn--ghost" onClick={() => void send(true)} data-testid="request-send-wait">{rt('replyAndWait')}</button>}
      </div>
    </form>
  )
}

export function NewRequestDialog({ contact, onClose, onCreated }: { contact?: { id: string; name: string }; onClose: () => void; onCreated: (id: string) => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [subject, setSubject] = useState('')
  const [channel, setChannel] = useState('phone')
  const [priority, setPriority] = useState('normal')
  const [assignee, setAssignee] = useState(me.value?.id ?? '')
  const [body, setBody] = useState('')
  useEffect(() => dialog.current?.showModal(), [])
  async function create(e: Event) {
    e.preventDefault()
    try {
      const made = await api<Conversation>('POST', `/api/workspaces/${workspaceId.value}/requests`, {
        subject, channel, priority, assignee: assignee || null, contact: contact?.id ?? null, body: body.trim() || null })
      toast(rt('createdToast'))
      onCreated(made.request.id)
    } catch (err) {
      toastError(err)
    }
  }
  const pick = (label: string, value: string, set: (v: string) => void, options: readonly string[], text: (o: string) => string) => (
    <label class="field"><span class="field__label">{label}</span>
      <select value={value} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
        {options.map((o) => <option key={o} value={o}>{text(o)}</option>)}
      </select>
    </label>
  )
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="new-request-title" onClose={onClose} onCancel={onClose} data-testid="request-new">
      <header class="dialog__header"><h2 id="new-request-title">{rt('add')}{contact ? ` · ${contact.name}` : ''}</h2>
        <button class="icon-btn" aria-label={rt('cancel')} onClick={() => dialog.current?.close()}><Icon name="close" /></button></header>
      <form class="stack" onSubmit={create}>
        <label class="field"><span class="field__label">{rt('subject')}</span>
          <input required maxLength={300} value={subject} onInput={(e) => setSubject((e.target as HTMLInputElement).value)} data-testid="request-subject" /></label>
        <div class="request-new__row">
          {pick(rt('channelLabel'), channel, setChannel, CHANNELS, (c) => rt(`channel.${c}` as never))}
          {pick(rt('priorityLabel'), priority, setPriority, PRIORITIES, (p) => rt(`priority.${p}` as never))}
        </div>
        {pick(rt('assignee'), assignee, setAssignee, ['', ...members.value.map((m) => m.user.id)], (m) => m ? memberName(m) : rt('unassigned'))}
        <label class="field"><span class="field__label">{rt('firstText')}</span>
          <textarea rows={3} value={body} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} /></label>
        <div class="row row--wrap"><button class="btn btn--primary" data-testid="request-create">{rt('create')}</button>
          <button type="button" class="btn btn--ghost" onClick={() => dialog.current?.close()}>{rt('cancel')}</button></div>
      </form>
    </dialog>
  )
}
