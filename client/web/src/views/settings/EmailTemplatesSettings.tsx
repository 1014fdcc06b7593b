/**
 * Settings → E-mail templates (issue 17): the workspace's templates — subject and HTML body with
 * merge fields like {{ contact.first_name }} — with a preview against a chosen contact that lists
 * the merge fields without a value (a mail with one is refused, never sent blank). Members and
 * admins edit; viewers read. The first look seeds four defaults in the user's language. Above
 * all, a plain notice when this server sends no mail at all (no TANDEM_SMTP_URL).
 */
import { useEffect, useState } from 'preact/hooks'
import { api, get, type Schemas } from '../../lib/api'
import { role, workspaceId } from '../../lib/session'
import { Empty, Icon, Spinner, announce, toast, toastError } from '../../components/ui'
import { scoped } from '../../i18n'
import './email.css'

const et = scoped('sending')
type Template = Schemas['EmailTemplate']
type Draft = Pick<Template, 'name' | 'locale' | 'subject' | 'body'>
const FIELDS = ['contact.first_name', 'contact.last_name', 'contact.email', 'organisation.name', 'deal.title',
  'deal.value', 'deal.stage', 'sender.name', 'sender.email']
const BLANK: Draft = { name: '', locale: 'en', subject: '', body: '<p>Hello {{ contact.first_name }},</p>\n<p></p>' }

/** "Mail is not configured on this server" — shown wherever the app would otherwise send mail. */
export function MailNotice() {
  const [status, setStatus] = useState<Schemas['MailStatus'] | null>(null)
  useEffect(() => { void get<Schemas['MailStatus']>('/api/mail/status').then(setStatus, () => setStatus(null)) }, [])
  if (!status || status.configured) return null
  return <p class="notice" role="note" data-testid="mail-not-configured"><strong>{et('notConfiguredTitle')}</strong> {et('notConfigured')}</p>
}

export function EmailTemplatesSettings() {
  const ws = workspaceId.value!
  const base = `/api/workspaces/${ws}/email-templates`
  const canEdit = role.value !== 'viewer'
  const [templates, setTemplates] = useState<Template[] | null>(null)
  const [chosen, setChosen] = useState<string | null>(null)  // a template's id, 'new', or none
  const [draft, setDraft] = useState<Draft>(BLANK)
  async function load(select?: string) {
    try {
      const all = await api<Template[]>('GET', base)
      setTemplates(all)
      const next = all.find((x) => x.id === (select ?? chosen)) ?? all[0]
      if (next) { setChosen(next.id); setDraft(next) }
    } catch (e) { toastError(e) }
  }
  useEffect(() => { void load() }, [ws])
  if (!templates) return <Spinner />
  async function save(e: Event) {
    e.preventDefault()
    const body = { name: draft.name, locale: draft.locale, subject: draft.subject, body: draft.body }
    try {
      const saved = chosen && chosen !== 'new'
        ? await api<Template>('PUT', `${base}/${chosen}`, body)
        : await api<Template>('POST', base, body)
      toast(et('saved', { name: saved.name }))
      await load(saved.id)
    } catch (err) { toastError(err) }
  }
  async function remove() {
    if (!chosen || chosen === 'new' || !confirm(et('confirmDelete', { name: draft.name }))) return
    try {
      await api('DELETE', `${base}/${chosen}`)
      announce(et('deleted', { name: draft.name }))
      setChosen(null)
      await load('')
    } catch (err) { toastError(err) }
  }
  const set = (key: keyof Draft) => (e: Event) => setDraft({ ...draft, [key]: (e.target as HTMLInputElement).value })
  return (
    <div class="email-templates" data-testid="email-templates">
      <MailNotice />
      <p class="muted settings__help">{et('help')}</p>
      <div class="email-templates__layout">
        <nav aria-label={et('list')} class="email-templates__list">
          {templates.length === 0 && <Empty title={et('none')}>{et('noneBody')}</Empty>}
          <ul>
            {templates.map((x) => (
              <li key={x.id}><button type="button" class="settings__link" aria-current={x.id === chosen ? 'true' : undefined}
                data-testid="template-row" onClick={() => { setChosen(x.id); setDraft(x) }}>
                {x.name} <span class="tag">{x.locale.toUpperCase()}</span></button></li>
            ))}
          </ul>
          {canEdit && <button type="button" class="btn btn--small" onClick={() => { setChosen('new'); setDraft(BLANK) }}>
            <Icon name="plus" size={14} />{et('new')}</button>}
        </nav>
        {chosen && (
          <div class="email-templates__editor">
            <form onSubmit={(e) => void save(e)} class="stack">
              <div class="row row--wrap">
                <label class="field grow"><span class="field__label">{et('name')}</span>
                  <input required maxLength={200} value={draft.name} onInput={set('name')} readOnly={!canEdit} data-testid="template-name" /></label>
                <label class="field"><span class="field__label">{et('language')}</span>
                  <select value={draft.locale} onChange={set('locale')} disabled={!canEdit}>
                    <option value="en">English</option><option value="de">Deutsch</option></select></label>
              </div>
              <label class="field"><span class="field__label">{et('subject')}</span>
                <input required value={draft.subject} onInput={set('subject')} readOnly={!canEdit} data-testid="template-subject" /></label>
              <label class="field"><span class="field__label">{et('body')}</span>
                <textarea rows={8} value={draft.body} onInput={set('body')} readOnly={!canEdit} class="email-templates__body" data-testid="template-body" /></label>
              <p class="muted">{et('fieldsHelp')} {FIELDS.map((f) => <code key={f} class="email-templates__field">{`{{ ${f} }}`}</code>)}</p>
              {canEdit && <div class="row">
                <button class="btn btn--primary btn--small">{et('save')}</button>
                {chosen !== 'new' && <button type="button" class="btn btn--small btn--danger" onClick={() => void remove()}>{et('delete')}</button>}
              </div>}
            </form>
            {chosen !== 'new' && <Preview path={`${base}/${chosen}/preview`} ws={ws} />}
          </div>
        )}
      </div>
    </div>
  )
}

function Preview({ path, ws }: { path: string; ws: string }) {
  const [contacts, setContacts] = useState<{ id: string; name: string }[]>([])
  const [contact, setContact] = useState('')
  const [shown, setShown] = useState<Schemas['Preview'] | null>(null)
  useEffect(() => {
    void get<{ items: { id: string; name: string }[] }>(`/api/workspaces/${ws}/contacts?limit=50`)
      .then((page) => setContacts(page.items), toastError)
  }, [ws])
  useEffect(() => {
    setShown(null)
    void api<Schemas['Preview']>('POST', path, contact ? { contact_id: contact } : {}).then(setShown, toastError)
  }, [path, contact])
  return (
    <section class="email-templates__preview" aria-labelledby="template-preview" data-testid="template-preview">
      <h3 id="template-preview">{et('preview')}</h3>
      <label class="field"><span class="field__label">{et('previewFor')}</span>
        <select value={contact} onChange={(e) => setContact((e.target as HTMLSelectElement).value)} data-testid="preview-contact">
          <option value="">{et('noContact')}</option>
          {contacts.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select></label>
      {!shown ? <Spinner /> : (
        <div class="email-templates__rendered">
          {shown.missing.length > 0 && <p class="notice" role="status" data-testid="preview-missing">
            {et('missing')} {shown.missing.map((m) => <code key={m}>{m}</code>)}</p>}
          <p><strong>{et('subject')}:</strong> <span data-testid="preview-subject">{shown.subject}</span></p>
          {/* sanitised by the server (nh3) before it is answered */}
          <div class="email-templates__html" data-testid="preview-body" dangerouslySetInnerHTML={{ __html: shown.body }} />
        </div>
      )}
    </section>
  )
}
