/**
 * A board's links from deals and activities to contacts and organisations. They live on the
 * server (SQL), not in the board document, so guests never receive the ids: read with
 * `GET /api/boards/{id}/links` (a guest gets none), written with the card's or activity's PATCH,
 * refetched live when the workspace document's `changes` map notes `links:<board>`.
 */
import { useEffect, useState } from 'preact/hooks'
import { ApiError, get, patch, type Schemas } from './api'
import { watchChanges } from './records'
import { useSyncedDoc } from './ydocs'

export type EntryLink = Schemas['EntryLink']
export type Links = Map<string, EntryLink>

export const linkKey = (kind: EntryLink['entry_kind'], id: string) => `${kind}:${id}`

/** The board's links, kept current; empty for a guest (who cannot open the workspace document either). */
export function useBoardLinks(board: string, workspace: string, guest: boolean): [Links, (link: EntryLink) => void] {
  const [links, setLinks] = useState<Links>(new Map())
  const [changed, setChanged] = useState(0)
  const live = useSyncedDoc(guest ? null : `workspace:${workspace}`)
  useEffect(() => live ? watchChanges(live.doc, (keys) => {
    if (keys.some((k) => k === `links:${board}` || k === 'links:*')) setChanged((n) => n + 1)
  }) : undefined, [live, board])
  useEffect(() => {
    if (guest) return setLinks(new Map())
    let current = true
    get<EntryLink[]>(`/api/boards/${board}/links`).then((list) => {
      if (current) setLinks(new Map(list.map((l) => [linkKey(l.entry_kind, l.entry_id), l])))
    }, () => null)
    return () => { current = false }
  }, [board, guest, changed])
  // an edit shows at once; the refetch the change notice brings confirms it
  const put = (link: EntryLink) => setLinks((old) => new Map(old).set(linkKey(link.entry_kind, link.entry_id), link))
  return [links, put]
}

/** Set a deal's contact or organisation (`null` removes it); the link as the server now has it. */
export async function linkCard(board: string, card: string, values: { contact?: string | null; organisation?: string | null }): Promise<EntryLink> {
  const deal = await patch<Schemas['Deal']>(`/api/boards/${board}/cards/${card}`, values)
  return { entry_kind: 'card', entry_id: card, contact: deal.contact ?? null, organisation: deal.organisation ?? null }
}

/**
 * Link a new activity to a contact. The activity was just added to the board document; the
 * server may not have it yet, so a 404 is retried a few times.
 */
export async function linkActivity(board: string, activity: string, contact: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await patch(`/api/boards/${board}/activities/${activity}`, { contact })
      return
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404 || attempt >= 5) throw e
      await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)))
    }
  }
}
