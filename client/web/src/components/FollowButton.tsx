/** "Follow" in the deal panel (issue 18 item 3): a followed deal's stage changes, won and lost
 * notify you (its owner follows unless they stop). A deal made a moment ago may not be projected
 * yet: the state is asked again a few times before the button shows. */
import { useEffect, useState } from 'preact/hooks'
import { api, get, type Schemas } from '../lib/api'
import { scoped } from '../i18n'
import { Icon, announce, toastError } from './ui'
import './notify.css'

type Following = Schemas['Following']
const nt = scoped('notify')

export function FollowButton({ board, card }: { board: string; card: string }) {
  const [state, setState] = useState<Following | null>(null)
  const [busy, setBusy] = useState(false)
  const path = `/api/boards/${board}/deals/${card}/follow`
  useEffect(() => {
    let live = true
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = (tries: number) => get<Following>(path).then((s) => live && setState(s), () => {
      if (live && tries > 0) timer = setTimeout(() => load(tries - 1), 1000)
    })
    setState(null)
    void load(5)
    return () => { live = false; clearTimeout(timer) }
  }, [path])
  if (!state) return null
  async function toggle() {
    setBusy(true)
    try {
      const next = await api<Following>('PUT', path, { following: !state!.following })
      setState(next)
      announce(next.following ? nt('followed') : nt('unfollowed'))
    } catch (e) {
      toastError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <button type="button" class={`btn btn--small follow-btn${state.following ? ' is-on' : ''}`} aria-pressed={state.following}
      title={nt('followHint')} disabled={busy} data-testid="deal-follow" onClick={() => void toggle()}>
      <Icon name="bell" size={14} />{state.following ? nt('following') : nt('follow')}
    </button>
  )
}
