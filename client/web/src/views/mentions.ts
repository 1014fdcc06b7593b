/**
 * The @mention picker of the note editor (issue 18 item 3): Tiptap's Mention extension with a
 * suggestion list of the people a note on this board may mention — its workspace's members and
 * the people it is shared with (`GET /api/boards/{board}/mentionable`). Type `@` and letters of a
 * name; ↑/↓ choose, Enter or Tab picks, Escape closes. A picked person becomes a mention node
 * (`<mention id label>` in the note's Yjs document); the server notifies them once.
 */
import Mention from '@tiptap/extension-mention'
import type { SuggestionKeyDownProps, SuggestionProps } from '@tiptap/suggestion'
import { get, type Schemas } from '../lib/api'
import { scoped } from '../i18n'
import '../components/notify.css'

const nt = scoped('notify')

type Person = Schemas['Person']
type Picked = { id: string; label: string }

/** The people of a board, fetched once per board while the editor lives. */
function people(board: string): () => Promise<Person[]> {
  let found: Promise<Person[]> | null = null
  return () => (found ??= get<Person[]>(`/api/boards/${board}/mentionable`).catch(() => { found = null; return [] }))
}

export function matching(all: Person[], query: string): Person[] {
  const q = query.trim().toLocaleLowerCase()
  return all.filter((p) => !q || p.name.toLocaleLowerCase().split(/\s+/).some((w) => w.startsWith(q))
    || p.name.toLocaleLowerCase().startsWith(q)).slice(0, 8)
}

/** The list under the caret: plain DOM (the editor is not a Preact tree), a listbox by ARIA. */
class Picker {
  readonly root = document.createElement('div')
  private items: Person[] = []
  private index = 0
  private command: ((p: Picked) => void) | null = null
  private field: HTMLElement | null = null  // the editor: it keeps the focus, and names the chosen option
  private closed = false  // Escape: the list stays closed until the next @

  constructor() {
    this.root.className = 'mention-picker'
    this.root.id = 'mention-picker'
    this.root.setAttribute('role', 'listbox')
    this.root.setAttribute('aria-label', nt('pickPerson'))
    this.root.dataset.testid = 'mention-picker'
    document.body.append(this.root)
  }

  update(props: SuggestionProps<Person, Picked>) {
    if (this.closed) return
    this.items = props.items
    this.command = props.command
    this.field = props.editor.view.dom as HTMLElement
    this.field.setAttribute('aria-controls', this.root.id)
    this.field.setAttribute('aria-expanded', 'true')
    this.index = Math.min(this.index, Math.max(0, this.items.length - 1))
    this.render()
    const rect = props.clientRect?.()
    if (rect) {
      const width = Math.min(260, window.innerWidth - 16)
      this.root.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - width - 8))}px`
      this.root.style.top = `${rect.bottom + 4}px`
      this.root.style.width = `${width}px`
    }
  }

  key({ event }: SuggestionKeyDownProps): boolean {
    if (this.closed) return false
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!this.items.length) return true
      const step = event.key === 'ArrowDown' ? 1 : -1
      this.index = (this.index + step + this.items.length) % this.items.length
      this.render()
      return true
    }
    if (event.key === 'Enter' || event.key === 'Tab') {
      const person = this.items[this.index]
      if (!person) return false
      this.pick(person)
      return true
    }
    if (event.key === 'Escape') {
      this.destroy()
      return true
    }
    return false
  }

  private pick(person: Person) {
    this.command?.({ id: person.id, label: person.name })
  }

  private render() {
    this.root.replaceChildren()
    if (!this.items.length) {
      const empty = document.createElement('div')
      empty.className = 'mention-picker__empty'
      empty.textContent = nt('nobodyToMention')
      this.root.append(empty)
      this.field?.removeAttribute('aria-activedescendant')
      return
    }
    this.items.forEach((person, i) => {
      const option = document.createElement('button')
      option.type = 'button'
      option.id = `mention-option-${person.id}`
      option.className = `mention-picker__option${i === this.index ? ' is-on' : ''}`
      option.setAttribute('role', 'option')
      option.setAttribute('aria-selected', String(i === this.index))
      option.tabIndex = -1
      option.textContent = person.name
      option.addEventListener('mousedown', (e) => { e.preventDefault(); this.pick(person) })
      this.root.append(option)
    })
    this.field?.setAttribute('aria-activedescendant', `mention-option-${this.items[this.index].id}`)
  }

  destroy() {
    this.closed = true
    for (const name of ['aria-controls', 'aria-expanded', 'aria-activedescendant']) this.field?.removeAttribute(name)
    this.root.remove()
  }
}

/** The Mention extension configured for notes of ``board``. */
export function mentionExtension(board: string) {
  const load = people(board)
  return Mention.configure({
    HTMLAttributes: { class: 'mention' },
    renderText: ({ node }) => `@${node.attrs.label ?? node.attrs.id}`,
    suggestion: {
      char: '@',
      items: async ({ query }) => matching(await load(), query),
      render: () => {
        let picker: Picker | null = null
        return {
          onStart: (props: SuggestionProps<Person, Picked>) => { picker = new Picker(); picker.update(props) },
          onUpdate: (props: SuggestionProps<Person, Picked>) => picker?.update(props),
          onKeyDown: (props: SuggestionKeyDownProps) => picker?.key(props) ?? false,
          onExit: () => { picker?.destroy(); picker = null },
        }
      },
    },
  })
}
