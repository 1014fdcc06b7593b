/** What a guest sees at a link to anything not shared with them: plain words, and the way back. */
import { workspace, workspaceId } from '../lib/session'
import { gt } from '../i18n'
import { Empty } from '../components/ui'

export function NotSharedPage() {
  return (
    <div data-testid="not-shared">
      <Empty title={gt('notSharedTitle')} icon="🔒">
        {gt('notSharedBody', { workspace: workspace.value?.name ?? '' })}{' '}
        <a href={`/w/${workspaceId.value}`}>{gt('yourBoards')}</a>
      </Empty>
    </div>
  )
}
