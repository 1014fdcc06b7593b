/** Inputs that show the live value and commit an edit on Enter or blur (Escape abandons it). */
import { useRef, useState } from 'preact/hooks'

/** Plain attributes passed on to the element (type, aria-label, placeholder, readOnly, …). */
type Props = { value: string; onCommit: (value: string) => unknown; [attribute: string]: unknown }

export function LiveInput({ value, onCommit, ...rest }: Props) {
  const [draft, setDraft] = useState<string | null>(null)
  const abandon = useRef(false)
  return (
    <input {...(rest as object)} value={draft ?? value}
      onFocus={() => { abandon.current = false; setDraft(value) }}
      onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
      onBlur={() => {
        if (!abandon.current && draft !== null && draft !== value) onCommit(draft)
        setDraft(null)
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur()
        if (e.key === 'Escape') {
          abandon.current = true
          e.stopPropagation()
          ;(e.target as HTMLInputElement).blur()
        }
      }} />
  )
}

export function LiveTextarea({ value, onCommit, ...rest }: Props) {
  const [draft, setDraft] = useState<string | null>(null)
  return (
    <textarea {...(rest as object)} value={draft ?? value}
      onFocus={() => setDraft(value)}
      onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
      onBlur={() => { if (draft !== null && draft !== value) onCommit(draft); setDraft(null) }} />
  )
}
