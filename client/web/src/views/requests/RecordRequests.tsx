/**
 * A contact's or organisation's requests, every status, soonest due first (docs/service.md): the
 * customer's service history beside their timeline, each linking to the request in the queue, and
 * "New request" for the contact.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, query, type Schemas } from '../../lib/api'
import { workspaceId } from '../../lib/session'
import { navigate } from '../../lib/router'
import { relative } from '../../lib/format'
import { Icon, toastError } from '../../components/ui'
import { rt, RequestTags } from './RequestsPage'
import { NewRequestDialog } from './RequestView'
import './requests.css'

export function RecordRequests({ kind, id, name, editable }: { kind: 'contacts' | 'organisations'; id: string; name: string; editable: boolean }) {
  const ws = workspaceId.value!
  const [found, setFound] = useState<Schemas['RequestQueue'] | null>(null)
  const [adding, setAdding] = useState(false)
  useEffect(() => {
    const who = kind === 'contacts' ? { contact: id } : { organisation: id }
    api<Schemas['RequestQueue']>('GET', `/api/workspaces/${ws}/requests${query({ ...who, status: 'all', limit: 50 })}`).then(setFound, toastError)
  }, [ws, kind, id])
  const requests = found?.requests ?? []
  return (
    <section class="card-surface record-requests" aria-labelledby="record-requests" data-testid="record-requests">
      <div class="row row--wrap record-requests__head">
        <h2 id="record-requests" class="grow">{rt('onRecord')}</h2>
        {editable && kind === 'contacts' && <button class="btn btn--small" onClick={() => setAdding(true)} data-testid="record-request-add"><Icon name="plus" size={14} />{rt('newFor')}</button>}
      </div>
      {found && requests.length === 0 && <p class="muted">{rt('noneOnRecord', { name })}</p>}
      {requests.length > 0 && (
        <ul class="link-list">
          {requests.map((r) => (
            <li key={r.id}>
              <a href={`/w/${ws}/requests?request=${r.id}`}>{r.subject}</a>
              <RequestTags request={r} />
              <span class="muted small">{relative(r.created_at)}</span>
            </li>
          ))}
        </ul>
      )}
      {adding && <NewRequestDialog contact={{ id, name }} onClose={() => setAdding(false)}
        onCreated={(made) => navigate(`/w/${ws}/requests?request=${made}`)} />}
    </section>
  )
}
