/** On a deal's panel: the lead it was converted from, if any, linking back to it (docs/leads.md). */
import { useEffect, useState } from 'preact/hooks'
import { api, type Schemas } from '../../lib/api'
import { workspaceId } from '../../lib/session'
import { lt, type Lead } from './LeadsPage'

export function LeadOrigin({ card }: { card: string }) {
  const [lead, setLead] = useState<Lead | null>(null)
  const ws = workspaceId.value
  useEffect(() => {
    setLead(null)
    api<Schemas['LeadInbox']>('GET', `/api/workspaces/${ws}/leads?status=converted&deal=${card}&limit=1`)
      .then((found) => setLead(found.leads[0] ?? null), () => setLead(null))  // a guest reads no leads
  }, [ws, card])
  if (!lead) return null
  return (
    <p class="muted small lead-origin" data-testid="deal-lead-origin">
      <a href={`/w/${ws}/leads?lead=${lead.id}`}>{lt('fromLead', { title: lead.title, source: lt(`sources.${lead.source}`) })}</a>
    </p>
  )
}
