/**
 * Settings → Lost reasons and Labels: the workspace's pick lists (lib/lists.ts). Admins add,
 * rename, reorder (buttons, so keyboard and touch work alike) and remove; each change is saved at
 * once and replaces the list for everyone. Members and viewers see the lists read-only.
 */
import { useEffect, useState } from 'preact/hooks'
import { workspaceId } from '../../lib/session'
import { loadPickLists, pickLists, renameLabel, savePickLists, type LabelColour, type LabelItem } from '../../lib/lists'
import { LiveInput } from '../../components/inputs'
import { Empty, Icon, Spinner, announce, toastError } from '../../components/ui'
import { st, type SettingsWord } from '../../i18n'

function useLists() {
  const ws = workspaceId.value!
  useEffect(() => { loadPickLists(ws, true).catch(toastError) }, [ws])
  return pickLists.value
}

async function save(change: Parameters<typeof savePickLists>[1]): Promise<boolean> {
  try {
    await savePickLists(workspaceId.value!, change)
    announce(st('saved'))
    return true
  } catch (e) {
    toastError(e)
    return false
  }
}

const moved = <T,>(list: T[], from: number, to: number): T[] => {
  const next = [...list]
  const [item] = next.splice(from, 1)
  next.splice(to, 0, item)
  return next
}

function OrderButtons({ index, count, name, onMove, onRemove }: {
  index: number; count: number; name: string; onMove: (to: number) => void; onRemove: () => void
}) {
  return (
    <span class="pick-row__actions">
      <button type="button" class="icon-btn icon-btn--small" aria-label={`${st('moveUp')}: ${name}`} title={st('moveUp')}
        disabled={index === 0} onClick={() => onMove(index - 1)}><span aria-hidden="true">↑</span></button>
      <button type="button" class="icon-btn icon-btn--small" aria-label={`${st('moveDown')}: ${name}`} title={st('moveDown')}
        disabled={index === count - 1} onClick={() => onMove(index + 1)}><span aria-hidden="true">↓</span></button>
      <button type="button" class="icon-btn icon-btn--small" aria-label={`${st('remove')}: ${name}`} title={st('remove')}
        onClick={onRemove}><Icon name="close" size={14} /></button>
    </span>
  )
}

function AddForm({ label, button, onAdd, children }: {
  label: string; button: string; onAdd: (name: string) => Promise<boolean>; children?: preact.ComponentChildren
}) {
  const id = `add-${button.replace(/\W+/g, '-').toLowerCase()}`
  return (
    <form class="inline-add" onSubmit={async (e) => {
      e.preventDefault()
      const form = e.currentTarget as HTMLFormElement
      const name = String(new FormData(form).get('name') ?? '').trim()
      if (name && await onAdd(name)) {
        // only the name: form.reset() would show the first colour while the next label kept the chosen one
        const input = form.elements.namedItem('name') as HTMLInputElement
        input.value = ''
        input.focus()
      }
    }}>
      <label class="sr-only" for={id}>{label}</label>
      <input id={id} name="name" placeholder={label} maxLength={200} required />
      {children}
      <button class="btn btn--primary btn--small"><Icon name="plus" size={16} />{button}</button>
    </form>
  )
}

export function LostReasonsSettings({ admin }: { admin: boolean }) {
  const lists = useLists()
  if (!lists) return <Spinner />
  const reasons = lists.lost_reasons
  return (
    <div>
      <p class="muted settings__help">{st('lostReasonsHelp')}</p>
      {reasons.length === 0 ? <Empty title={st('noReasons')}>{st('noReasonsBody')}</Empty> : (
        <ol class="pick-list" aria-label={st('lostReasons')}>
          {reasons.map((reason, i) => (
            <li key={`${reason}-${i}`} class="pick-row" data-testid="lost-reason" data-name={reason}>
              <LiveInput value={reason} readOnly={!admin} aria-label={st('lostReasons')} maxLength={200}
                onCommit={(v) => v.trim() && save({ lost_reasons: reasons.map((r, j) => (j === i ? v.trim() : r)) })} />
              {admin && <OrderButtons index={i} count={reasons.length} name={reason}
                onMove={(to) => save({ lost_reasons: moved(reasons, i, to) })}
                onRemove={() => save({ lost_reasons: reasons.filter((_, j) => j !== i) })} />}
            </li>
          ))}
        </ol>
      )}
      {admin && <AddForm label={st('newReason')} button={st('addReason')} onAdd={(name) => save({ lost_reasons: [...reasons, name] })} />}
    </div>
  )
}

export function LabelChip({ label }: { label: LabelItem }) {
  return <span class={`tag tag--label label--${label.colour}`}>{label.name}</span>
}

function ColourSelect({ value, onChange, disabled, name }: { value: LabelColour; onChange?: (c: LabelColour) => void; disabled?: boolean; name?: string }) {
  const colours = pickLists.value?.colours ?? ['grey']
  return (
    <select class={`colour-select label--${value}`} aria-label={st('colour')} value={value} disabled={disabled} name={name}
      onChange={(e) => onChange?.((e.target as HTMLSelectElement).value as LabelColour)}>
      {colours.map((c) => <option key={c} value={c}>{st(`colours.${c}` as SettingsWord) ?? c}</option>)}
    </select>
  )
}

export function LabelsSettings({ admin }: { admin: boolean }) {
  const lists = useLists()
  const [colour, setColour] = useState<LabelColour>('blue')
  if (!lists) return <Spinner />
  const labels = lists.labels
  const put = (next: LabelItem[]) => save({ labels: next })
  const rename = async (name: string, newName: string) => {
    try {
      const { contacts, deals } = await renameLabel(workspaceId.value!, name, newName)
      announce(st('labelRenamed', { name: newName, contacts, deals }))
    } catch (e) {
      toastError(e)
    }
  }
  return (
    <div>
      <p class="muted settings__help">{st('labelsHelp')}</p>
      {labels.length === 0 ? <Empty title={st('noLabels')}>{st('noLabelsBody')}</Empty> : (
        <ol class="pick-list" aria-label={st('labels')}>
          {labels.map((label, i) => (
            <li key={`${label.name}-${i}`} class="pick-row" data-testid="label-row" data-name={label.name}>
              <span class={`label-swatch label--${label.colour}`} aria-hidden="true" />
              <LiveInput value={label.name} readOnly={!admin} aria-label={st('labels')} maxLength={60}
                onCommit={(v) => v.trim() && v.trim() !== label.name && void rename(label.name, v.trim())} />
              <ColourSelect value={label.colour} disabled={!admin}
                onChange={(c) => put(labels.map((l, j) => (j === i ? { ...l, colour: c } : l)))} />
              {admin && <OrderButtons index={i} count={labels.length} name={label.name}
                onMove={(to) => put(moved(labels, i, to))} onRemove={() => put(labels.filter((_, j) => j !== i))} />}
            </li>
          ))}
        </ol>
      )}
      {admin && (
        <AddForm label={st('newLabel')} button={st('addLabel')} onAdd={(name) => put([...labels, { name, colour }])}>
          <ColourSelect value={colour} onChange={setColour} />
        </AddForm>
      )}
    </div>
  )
}
