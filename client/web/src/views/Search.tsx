/** Workspace-wide search: contacts and organisations (server search), deals and cards (live, from the board documents). */
import { useEffect, useState } from 'preact/hooks'
import { boards, isGuest, workspaceId } from '../lib/session'
import { listRecords, type Contact, type Organisation } from '../lib/records'
import { acquire, release, useDocVersion, type SyncedDoc } from '../lib/ydocs'
import { readBoard, type Card } from '../lib/board'
import { money } from '../lib/format'
import { Avatar, Empty, Icon } from '../components/ui'
import { t } from '../i18n'

export function SearchPage({ q }: { q: string }) {
  const ws = workspaceId.value!
  const [contacts, setContacts] = useState<Contact[]>([])
  const [orgs, setOrgs] = useState<Organisation[]>([])
  const [docs, setDocs] = useState<[string, SyncedDoc][]>([])
  const [deals, setDeals] = useState<Record<string, Card[]>>({})
  useEffect(() => {
    if (!q || isGuest.value) { setContacts([]); setOrgs([]); return }
    listRecords<Contact>(ws, 'contacts', { q, limit: 10 }).then((p) => setContacts(p.items), () => setContacts([]))
    listRecords<Organisation>(ws, 'organisations', { q, limit: 10 }).then((p) => setOrgs(p.items), () => setOrgs([]))
  }, [q, ws])
  useEffect(() => {
    const opened = boards.value.map((b) => [b.id, acquire(b.document)] as [string, SyncedDoc])
    setDocs(opened)
    return () => opened.forEach(([, d]) => release(d))
  }, [boards.value])
  const found = Object.entries(deals).flatMap(([board, cards]) => cards.map((c) => ({ board, card: c })))
  return (
    <div class="page-narrow">
      <header class="page-header"><div class="page-header__title"><h1>{q ? t('search.results', { q }) : t('search.title')}</h1></div></header>
      {docs.map(([board, doc]) => <DealMatches key={board} doc={doc} q={q} onMatches={(cards) => setDeals((old) => ({ ...old, [board]: cards }))} />)}
      {!q ? <Empty title={t('search.emptyTitle')} icon="⌕">{t('search.emptyBody')}</Empty> : (
        <div class="results">
          <ResultGroup title={t('search.deals')} count={found.length}>
            {found.map(({ board, card }) => (
              <li key={card.id}><a href={`/w/${ws}/boards/${board}/deals/${card.id}`}><Icon name="board" size={16} /><strong>{card.title}</strong></a>
                <span class="muted">{boards.value.find((b) => b.id === board)?.name}</span>{card.value > 0 && <span>{money(card.value, card.currency || 'EUR')}</span>}</li>
            ))}
          </ResultGroup>
          {!isGuest.value && <>
            <ResultGroup title={t('search.contacts')} count={contacts.length}>
              {contacts.map((c) => (
                <li key={c.id}><a class="person" href={`/w/${ws}/contacts/${c.id}`}><Avatar id={c.id} name={c.name} size={22} /><strong>{c.name}</strong></a>
                  <span class="muted">{[c.organisation?.name, c.emails[0]].filter(Boolean).join(' · ')}</span></li>
              ))}
            </ResultGroup>
            <ResultGroup title={t('search.organisations')} count={orgs.length}>
              {orgs.map((o) => (
                <li key={o.id}><a class="person" href={`/w/${ws}/organisations/${o.id}`}><span class="org-mark" aria-hidden="true">{o.name.slice(0, 1)}</span><strong>{o.name}</strong></a>
                  <span class="muted">{o.website}</span></li>
              ))}
            </ResultGroup>
          </>}
        </div>
      )}
    </div>
  )
}

function ResultGroup({ title, count, children }: { title: string; count: number; children: preact.ComponentChildren }) {
  return (
    <section class="card-surface" aria-label={title}>
      <h2>{title} <span class="count">{count}</span></h2>
      {count === 0 ? <p class="muted">{t('search.none')}</p> : <ul class="link-list">{children}</ul>}
    </section>
  )
}

function DealMatches({ doc, q, onMatches }: { doc: SyncedDoc; q: string; onMatches: (cards: Card[]) => void }) {
  const version = useDocVersion(doc.doc)
  useEffect(() => {
    const needle = q.trim().toLowerCase()
    if (!needle) return onMatches([])
    const state = readBoard(doc.doc)
    onMatches([...state.cards.values()].filter((c) => [c.title, c.description, ...c.labels].some((t) => t.toLowerCase().includes(needle))).slice(0, 20))
  }, [version, q])
  return null
}
