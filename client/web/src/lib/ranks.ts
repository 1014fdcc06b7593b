/**
 * Ranks: fractional-index strings that order cards within a stage (SHAPES.md: base-62,
 * order is (rank, id)). `rankBetween` takes the neighbours' ranks as they are in the document,
 * including ones it did not write: ties from concurrent moves and keys in another format must
 * not stop a move.
 */
import { generateKeyBetween } from 'fractional-indexing'

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** A string strictly between `a` and `b` (b null: no upper bound), by plain string order; needs a < b. */
function midpoint(a: string, b: string | null): string {
  const digit = (s: string, i: number) => Math.max(0, DIGITS.indexOf(s[i] ?? DIGITS[0]))
  let prefix = ''
  for (let i = 0; i <= a.length + (b?.length ?? 0) + 1; i++) {
    const lo = digit(a, i)
    const hi = b === null ? DIGITS.length : digit(b, i)
    if (hi - lo > 1) return prefix + DIGITS[(lo + hi) >> 1]
    prefix += DIGITS[lo]
    if (hi > lo) b = null // the prefix is now below b's: no upper bound from here on
  }
  return a + DIGITS[31] // nothing fits between them (b = a + '0…'): just after a
}

export function rankBetween(before: string | null, after: string | null): string {
  if (before !== null && after !== null && before >= after) after = null // a tie: place just after `before`
  try {
    return generateKeyBetween(before, after)
  } catch {
    return midpoint(before ?? '', after)
  }
}

/** Ranks for `count` new items after `last` (e.g. seeding stages). */
export function ranksAfter(last: string | null, count: number): string[] {
  const out: string[] = []
  for (let i = 0; i < count; i++) out.push((last = rankBetween(last, null)))
  return out
}
