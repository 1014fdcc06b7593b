/** The signed-in frame: sidebar (workspace switcher, boards, sections), top bar (search, connection), the page. */
import { useState } from 'preact/hooks'
import { match, navigate, path, queryParam } from '../lib/router'
import {
  boards, canEdit, isAdmin, isGuest, me, refreshBoards, role, signOut, workspace, workspaceId, workspaces,
} from '../lib/session'
import { post, type Schemas } from '../lib/api'
import { Avatar, ConnectionPill, Icon, toastError } from '../components/ui'
import { closeAll } from '../lib/ydocs'
import { localiseNewBoard } from '../lib/board'
import { gt, t } from '../i18n'
import { LanguagePicker } from '../components/language'
import { NotificationBell } from '../components/notifications'
import { BoardsPage } from './Boards'
import { BoardPage } from './BoardView'
import { TasksPage } from './Tasks'
import { SearchPage } from './Search'
import { ContactsPage, ContactPage } from './Contacts'
import { ImportPage } from './Import'
import { MembersPage } from './Members'
import { SettingsPage } from './Settings'
import { ReportPage } from './Report'
import { InsightsPage } from './insights/lazy'
import { CalendarPage } from './calendar/lazy'
import { TeamTasksPage } from './TeamTasks'
import { LeadsPage } from './leads/LeadsPage'
import { RequestsPage } from './requests/RequestsPage'
import { NotSharedPage } from './NotShared'
import { currencyForBrowser } from '../lib/money'
import { zoneForBrowser } from './settings/WorkspaceSettings'

export function Shell() {
  const [menuOpen, setMenuOpen] = useState(false)
  const ws = workspaceId.value!
  const base = `/w/${ws}`
  return (
    <div class={`shell${menuOpen ? ' shell--menu' : ''}`}>
      <a class="skip-link" href="#main">{t('shell.skip')}</a>
      <aside class="sidebar" aria-label={t('shell.navigation')} onClick={(e) => (e.target as Element).closest('a') && setMenuOpen(false)}>
        <div class="brand"><span class="brand__mark" aria-hidden="true" />Tandem</div>
        <WorkspaceSwitcher />
        <nav class="nav">
          <NavLink href={base} icon="board" exact>{t('shell.boards')}</NavLink>
          <ul class="nav__boards" aria-label={t('shell.boards')}>
            {boards.value.map((b) => (
              <li key={b.id}>
                <a href={`${base}/boards/${b.id}`} class="nav__sub" aria-current={path.value.startsWith(`${base}/boards/${b.id}`) ? 'page' : undefined}>
                  <span class={`dot dot--${b.kind}`} aria-hidden="true" />{b.name}
                  {b.access === 'read' && <span class="tag tag--quiet">{t('shell.viewTag')}</span>}
                </a>
              </li>
            ))}
          </ul>
          <NavLink href={`${base}/tasks`} icon="tasks">{t('shell.myTasks')}</NavLink>
          {!isGuest.value && <NavLink href={`${base}/calendar`} icon="meeting">{t('calendar.nav')}</NavLink>}
          {!isGuest.value && <NavLink href={`${base}/team-tasks`} icon="people">{t('teamTasks.nav')}</NavLink>}
          {!isGuest.value && <>
            <NavLink href={`${base}/report`} icon="board">{gt('report')}</NavLink>
            <NavLink href={`${base}/insights`} icon="insights">{t('insights.nav')}</NavLink>
            <NavLink href={`${base}/leads`} icon="flame">{t('leads.nav')}</NavLink>
            <NavLink href={`${base}/requests`} icon="email">{t('requests.nav')}</NavLink>
            <NavLink href={`${base}/contacts`} icon="contacts">{t('shell.contacts')}</NavLink>
            <NavLink href={`${base}/organisations`} icon="org">{t('shell.organisations')}</NavLink>
            {canEdit.value && <NavLink href={`${base}/import`} icon="import">{t('shell.import')}</NavLink>}
            <NavLink href={`${base}/members`} icon="people">{isAdmin.value ? t('shell.membersAndInvites') : t('shell.members')}</NavLink>
            <NavLink href={`${base}/settings`} icon="settings">{t('shell.settings')}</NavLink>
          </>}
        </nav>
        <LanguagePicker />
        <div class="sidebar__me">
          <Avatar id={me.value!.id} name={me.value!.name} size={30} />
          <div class="sidebar__who">
            <strong>{me.value!.name}</strong>
            <span class="muted">{role.value ? t(`roles.${role.value}`) : ''}</span>
          </div>
          <button class="icon-btn" onClick={() => { closeAll(); void signOut() }} aria-label={t('shell.signOut')} title={t('shell.signOut')}>
            <Icon name="logout" />
          </button>
        </div>
      </aside>
      <div class="main-col">
        <header class="topbar">
          <button class="icon-btn topbar__menu" aria-label={t('shell.menu')} aria-expanded={menuOpen} onClick={() => setMenuOpen(!menuOpen)}>
            <Icon name="menu" />
          </button>
          {isGuest.value ? <div class="grow" /> : <SearchBox base={base} />}
          <div class="topbar__right">
            {role.value === 'viewer' && <span class="tag tag--warn" title={t('shell.viewerHint')}>{t('shell.readOnly')}</span>}
            {isGuest.value && <span class="tag tag--quiet">{t('shell.guest')}</span>}
            <ConnectionPill />
            <NotificationBell />
          </div>
        </header>
        <main id="main" class="page" tabIndex={-1}>
          {isGuest.value && <p class="guest-note" data-testid="guest-note">{gt('guestNote', { workspace: workspace.value?.name ?? '' })}</p>}
          <Route base={base} />
        </main>
      </div>
    </div>
  )
}

function Route({ base }: { base: string }) {
  const p = path.value
  const sub = p.slice(base.length) || '/'
  // A guest reaches their shared boards and their tasks; any other link says plainly it is not shared
  if (isGuest.value && !(sub === '/' || sub === '/tasks' || sub.startsWith('/boards/') || sub === '/settings/notifications')) return <NotSharedPage />
  const board = match('/boards/:board', sub) ?? match('/boards/:board/deals/:card', sub)
  if (board) return <BoardPage boardId={board.board} cardId={board.card ?? null} />
  if (sub === '/tasks') return <TasksPage />
  if (sub === '/calendar') return <CalendarPage />
  if (sub === '/team-tasks') return <TeamTasksPage />
  if (sub === '/report') return <ReportPage />
  if (sub === '/insights') return <InsightsPage />
  if (sub === '/search') return <SearchPage q={queryParam('q')} />
  if (sub === '/leads') return <LeadsPage />
  if (sub === '/requests') return <RequestsPage />
  if (sub === '/contacts') return <ContactsPage kind="contacts" />
  if (sub === '/organisations') return <ContactsPage kind="organisations" />
  const contact = match('/contacts/:id', sub)
  if (contact) return <ContactPage kind="contacts" id={contact.id} />
  const org = match('/organisations/:id', sub)
  if (org) return <ContactPage kind="organisations" id={org.id} />
  if (sub === '/import') return <ImportPage />
  if (sub === '/members') return <MembersPage />
  const settings = match('/settings', sub) ?? match('/settings/:section', sub)
  if (settings) return <SettingsPage section={settings.section ?? ''} />
  return <BoardsPage />
}

function NavLink({ href, icon, children, exact = false }: { href: string; icon: string; children: preact.ComponentChildren; exact?: boolean }) {
  const active = exact ? path.value === href : path.value.startsWith(href)
  return (
    <a href={href} class="nav__link" aria-current={active ? 'page' : undefined}>
      <Icon name={icon} />{children}
    </a>
  )
}

function WorkspaceSwitcher() {
  const [creating, setCreating] = useState(false)
  async function create(event: Event) {
    event.preventDefault()
    const name = String(new FormData(event.currentTarget as HTMLFormElement).get('name') ?? '')
    try {
      const created = await post<Schemas['Workspace']>('/api/workspaces', { name, currency: currencyForBrowser(), time_zone: zoneForBrowser() })
      const board = await post<Schemas['Board']>(`/api/workspaces/${created.id}/boards`, { name: t('defaults.pipelineBoard'), kind: 'pipeline' }).catch(() => null)
      if (board) void localiseNewBoard(board.document).catch(toastError)
      workspaces.value = [...workspaces.value, { id: created.id, name, role: 'owner' }]
      setCreating(false)
      navigate(`/w/${created.id}`)
      void refreshBoards()
    } catch (e) {
      toastError(e)
    }
  }
  return (
    <div class="switcher">
      <label class="sr-only" for="workspace-switcher">{t('shell.workspace')}</label>
      <select id="workspace-switcher" value={workspace.value?.id} onChange={(e) => navigate(`/w/${(e.target as HTMLSelectElement).value}`)}>
        {workspaces.value.map((w) => <option key={w.id} value={w.id}>{w.role === 'guest' ? t('shell.guestWorkspace', { name: w.name }) : w.name}</option>)}
      </select>
      {creating ? (
        <form class="switcher__new" onSubmit={create}>
          <label class="sr-only" for="new-workspace">{t('shell.newWorkspaceName')}</label>
          <input id="new-workspace" name="name" placeholder={t('shell.newWorkspace')} required autoFocus
            onKeyDown={(e) => e.key === 'Escape' && setCreating(false)} />
        </form>
      ) : (
        <button class="icon-btn" aria-label={t('shell.newWorkspace')} title={t('shell.newWorkspace')} onClick={() => setCreating(true)}><Icon name="plus" /></button>
      )}
    </div>
  )
}

function SearchBox({ base }: { base: string }) {
  const onSearch = path.value === `${base}/search`
  return (
    <form role="search" class="searchbox" onSubmit={(e) => {
      e.preventDefault()
      const q = String(new FormData(e.currentTarget as HTMLFormElement).get('q') ?? '')
      navigate(`${base}/search?q=${encodeURIComponent(q)}`)
    }}>
      <Icon name="search" />
      <label class="sr-only" for="global-search">{t('shell.searchLabel')}</label>
      <input id="global-search" name="q" type="search" placeholder={t('shell.searchPlaceholder')}
        defaultValue={onSearch ? queryParam('q') : ''} key={onSearch ? 'on' : 'off'} autocomplete="off" />
      <kbd class="searchbox__kbd" aria-hidden="true">/</kbd>
    </form>
  )
}

document.addEventListener('keydown', (event) => {
  const target = event.target as HTMLElement
  if (event.key !== '/' || target.closest('input, textarea, select, [contenteditable="true"]')) return
  const input = document.getElementById('global-search') as HTMLInputElement | null
  if (input) {
    event.preventDefault()
    input.focus()
  }
})
