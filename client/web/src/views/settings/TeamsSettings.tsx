/**
 * Settings › Teams (issue 19): a workspace's teams — a name and members. Owners and admins add,
 * rename, pick members (checkboxes: keyboard and touch alike) and delete (the team's goals go with
 * it); members and viewers see them read-only. Goals can be set per team (Insights › Goals), and
 * the forecast's changes shown for one.
 */
import { useEffect, useState } from 'preact/hooks'
import { del, get, patch, post, type Schemas } from '../../lib/api'
import { members, workspaceId } from '../../lib/session'
import { LiveInput } from '../../components/inputs'
import { Empty, Icon, Spinner, announce, toastError } from '../../components/ui'
import { scoped } from '../../i18n'
import './teams.css'

const ft = scoped('forecast')
type Team = Schemas['Team']

export function TeamsSettings({ admin }: { admin: boolean }) {
  const ws = workspaceId.value!
  const [teams, setTeams] = useState<Team[] | null>(null)
  const load = () => get<Team[]>(`/api/workspaces/${ws}/teams`).then(setTeams, toastError)
  useEffect(() => { load() }, [ws])

  async function change(team: Team, name: string, memberIds: string[]) {
    try {
      const saved = await patch<Team>(`/api/workspaces/${ws}/teams/${team.id}`, { name, members: memberIds })
      setTeams((all) => (all ?? []).map((t) => (t.id === team.id ? saved : t)))
      announce(ft('saved'))
    } catch (e) {
      toastError(e)
    }
  }

  async function remove(team: Team) {
    if (!confirm(ft('deleteConfirm', { name: team.name }))) return
    try {
      await del(`/api/workspaces/${ws}/teams/${team.id}`)
      setTeams((all) => (all ?? []).filter((t) => t.id !== team.id))
      announce(ft('deleted'))
    } catch (e) {
      toastError(e)
    }
  }

  if (!teams) return <Spinner />
  return (
    <div class="teams-settings" data-testid="teams-settings">
      <p class="muted settings__help">{ft('teamsIntro')}</p>
      {teams.length === 0 ? <Empty title={ft('noTeams')}>{admin ? ft('noTeamsHint') : null}</Empty> : (
        <ul class="team-list">
          {teams.map((team) => {
            const ids = team.members.map((m) => m.id)
            return (
              <li key={team.id} class="team-card" data-testid="team" data-name={team.name}>
                <div class="pick-row">
                  <LiveInput value={team.name} readOnly={!admin} aria-label={ft('rename', { name: team.name })} maxLength={100}
                    onCommit={(v) => v.trim() && change(team, v.trim(), ids)} />
                  {admin && (
                    <button type="button" class="icon-btn icon-btn--small" aria-label={ft('deleteTeam', { name: team.name })}
                      title={ft('deleteTeam', { name: team.name })} onClick={() => remove(team)}><Icon name="close" size={14} /></button>
                  )}
                </div>
                {admin ? (
                  <fieldset class="team-card__members">
                    <legend>{ft('membersOf', { name: team.name })}</legend>
                    {members.value.map((m) => (
                      <label key={m.user.id} class="checkbox">
                        <input type="checkbox" checked={ids.includes(m.user.id)} onChange={(e) => {
                          const on = (e.target as HTMLInputElement).checked
                          change(team, team.name, on ? [...ids, m.user.id] : ids.filter((id) => id !== m.user.id))
                        }} />
                        {m.user.name}
                      </label>
                    ))}
                  </fieldset>
                ) : (
                  <p class="muted small">{team.members.length ? team.members.map((m) => m.name).join(', ') : ft('noMembers')}</p>
                )}
              </li>
            )
          })}
        </ul>
      )}
      {admin && (
        <form class="inline-add" onSubmit={async (e) => {
          e.preventDefault()
          const form = e.currentTarget as HTMLFormElement
          const input = form.elements.namedItem('name') as HTMLInputElement
          const name = input.value.trim()
          if (!name) return
          try {
            const made = await post<Team>(`/api/workspaces/${ws}/teams`, { name, members: [] })
            setTeams((all) => [...(all ?? []), made].sort((a, b) => a.name.localeCompare(b.name)))
            input.value = ''
            input.focus()
            announce(ft('saved'))
          } catch (err) {
            toastError(err)
          }
        }}>
          <label class="sr-only" for="add-team">{ft('teamName')}</label>
          <input id="add-team" name="name" placeholder={ft('teamName')} maxLength={100} required data-testid="team-name" />
          <button class="btn btn--primary btn--small"><Icon name="plus" size={16} />{ft('addTeam')}</button>
        </form>
      )}
    </div>
  )
}
