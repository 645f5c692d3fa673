/**
 * @module test-control/identifiers
 * Fresh participant identifiers for test mailboxes (spec 30.4): a conformance suite cannot be
 * expected to know every national scheme's check digits, so the node under test makes them.
 * Candidates are built per scheme and kept only if core's parser accepts them.
 */
import { randomInt } from 'node:crypto'
import { BaridError, parseIdentifier } from '../core.js'

const pad = (n: number, w: number) => String(n).padStart(w, '0')
const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('')

function birthDate(): { yy: string; mm: string; dd: string } {
  return {
    yy: pad(randomInt(50, 90), 2),
    mm: pad(randomInt(1, 13), 2),
    dd: pad(randomInt(1, 29), 2),
  }
}

/** Candidates for one scheme: the last digit is tried 0-9, so a check digit always fits. */
function candidates(scheme: string): string[] {
  const d = birthDate()
  let stem: string
  switch (scheme) {
    case 'dk:cpr':
      stem = `${d.dd}${d.mm}${d.yy}${randomInt(4)}${digits(2)}`
      break
    case 'dk:cvr':
      stem = `${randomInt(1, 10)}${digits(6)}`
      break
    case 'eg:nid':
      stem = `2${d.yy}${d.mm}${d.dd}01${digits(4)}`
      break
    default:
      return []
  }
  return Array.from({ length: 10 }, (_, i) => `${scheme}:${stem}${i}`)
}

/**
 * A well-formed identifier of one of `schemes` that `taken` does not hold.
 *
 * @example
 * ```ts
 * const id = await freshIdentifier(['dk:cpr'], async (id) => false) // 'dk:cpr:1204781234'
 * ```
 */
export async function freshIdentifier(
  schemes: readonly string[],
  taken: (identifier: string) => Promise<boolean>,
): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    for (const scheme of schemes) {
      for (const c of candidates(scheme)) {
        let text: string
        try {
          text = parseIdentifier(c).text
        } catch {
          continue
        }
        if (!(await taken(text))) return text
      }
    }
  }
  throw new BaridError('ERR_INVALID_ARGUMENT', 'no identifier scheme of this node can be generated')
}
