/**
 * Labels of a deal, picked from the workspace's label list (Settings › Labels) and shown in their
 * colours. Type to filter the list (the browser offers the matches); Enter or "Add" puts the
 * label on. A name the list lacks: an admin is offered to create it (it joins the list in grey,
 * then goes on the deal); anyone else is told to ask an admin. Labels a deal carried before the
 * list existed stay, drawn without colour, and can be removed.
 */
import { useState } from 'preact/hooks'
import { t } from '../i18n'
import { labelColour, pickLists, savePickLists } from '../lib/lists'
import { Icon, announce, toastError } from './ui'

export function LabelPicker({ value, onChange, disabled, admin, workspace, id = 'label-picker' }: {
  value: string[]; onChange: (labels: string[]) => void; disabled?: boolean; admin: boolean; workspace: string; id?: string
}) {
  const [text, setText] = useState('')
  const listed = pickLists.value?.labels ?? []
  const carried = new Set(value.map((l) => l.toLowerCase()))
  const offered = listed.filter((l) => !carried.has(l.name.toLowerCase()))
  const typed = text.trim()
  const match = listed.find((l) => l.name.toLowerCase() === typed.toLowerCase())
  const creatable = typed !== '' && !match && admin

  const add = async () => {
    if (!typed) return
    if (match) {
      if (!carried.has(match.name.toLowerCase())) onChange([...value, match.name])
      announce(t('labelPicker.added', { name: match.name }))
    } else if (admin) {
      try {
        await savePickLists(workspace, { labels: [...listed, { name: typed, colour: 'grey' }] })
        onChange([...value, typed])
        announce(t('labelPicker.created', { name: typed }))
      } catch (e) {
        toastError(e)
        return
      }
    } else return
    setText('')
  }

  return (
    <div class="label-picker" data-testid="label-picker">
      {value.length > 0 && (
        <ul class="label-picker__chips" aria-label={t('deal.labels')}>
          {value.map((name) => (
            <li key={name} class={`tag tag--label label--${labelColour(name) ?? 'none'}`}>
              {name}
              {!disabled && (
                <button type="button" class="label-picker__remove" aria-label={t('labelPicker.remove', { name })}
                  onClick={() => onChange(value.filter((l) => l !== name))}><Icon name="close" size={12} /></button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!disabled && (
        <form class="label-picker__add" onSubmit={(e) => { e.preventDefault(); void add() }}>
          <input id={id} list={`${id}-options`} class="input--small" value={text} aria-label={t('labelPicker.add')}
            placeholder={listed.length ? t('labelPicker.placeholder') : admin ? t('labelPicker.placeholderNew') : t('labelPicker.noneListed')}
            onInput={(e) => setText((e.target as HTMLInputElement).value)} />
          <datalist id={`${id}-options`}>
            {offered.map((l) => <option key={l.name} value={l.name} />)}
          </datalist>
          <button class="btn btn--small" disabled={!typed || (!match && !admin)}>
            {creatable ? t('labelPicker.create', { name: typed }) : t('labelPicker.addButton')}
          </button>
        </form>
      )}
      {!disabled && typed && !match && !admin && <p class="muted small" role="status">{t('labelPicker.askAdmin', { name: typed })}</p>}
    </div>
  )
}
