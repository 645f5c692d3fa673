/**
 * Every cross-reference in the spec text names a section that exists: `section NN` a file
 * `NN-*.md`, `N.M` (or `N.M.K`) a heading of section N, and `section NN, N.M` a heading of that
 * same section. References into other documents (`RFC 9052 section 4.4`) are not ours to check.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SPEC = fileURLToPath(new URL('../../../spec/', import.meta.url))
const FILES = readdirSync(SPEC).filter((f) => f.endsWith('.md'))
const SECTION_FILES = FILES.filter((f) => /^\d{2}-/.test(f))

/** The numbers of every section and heading: `5`, `5.9`, `20.3.3`. */
function headings(): Set<string> {
  const out = new Set<string>()
  for (const f of SECTION_FILES) {
    out.add(String(Number(f.slice(0, 2))))
    for (const m of readFileSync(SPEC + f, 'utf8').matchAll(/^#{2,4} (\d+(?:\.\d+)+)\s/gm))
      out.add(m[1]!)
  }
  return out
}

/** The prose of a file: code blocks, inline code and link targets blanked, line numbers kept. */
function prose(text: string): string[] {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ')
  return text
    .replace(/```[\s\S]*?```/g, blank)
    .replace(/`[^`\n]*`/g, blank)
    .replace(/\]\([^)]*\)/g, blank)
    .split('\n')
}

// A number after another document's name, in the same sentence, refers into that document.
const FOREIGN = /\b(?:RFC|BCP|ISO|ETSI|EN|X\.690|FIPS|NIST|CRYPTO)\b[^.;]*$/
// Numbers that are not references to this spec, with the document they belong to.
const NOT_REFERENCES: Record<string, string> = {
  '17-registered-mail.md 9.10.3': 'ISO 32000-1 (PDF), named on the line before',
}

interface Ref {
  file: string
  line: number
  text: string
  problem: string
}

/** The references of one file's text, and those that name no heading in `known`. */
function checkText(
  file: string,
  text: string,
  known: ReadonlySet<string>,
): { checked: number; broken: Ref[] } {
  const lines = prose(text)
  const broken: Ref[] = []
  let checked = 0
  for (const [i, line] of lines.entries()) {
    const at = (found: string, problem: string) =>
      broken.push({ file, line: i + 1, text: found, problem })
    const before = (index: number) => `${lines[i - 1] ?? ''} ${line.slice(0, index)}`
    // `section NN`, and `section NN, N.M` (also `(NN, N.M)`): N.M is a heading of section NN.
    // A list of sections is written with `and` (`section 07 and 21.5`).
    for (const m of line.matchAll(
      /(?:\bsections? |\()(\d{2})(?:, (\d+(?:\.\d+)+))?(?=[\s),;:.]|$)/g,
    )) {
      if (m[0].startsWith('(') && m[2] === undefined && line[m.index + 3] !== ')') continue
      if (FOREIGN.test(before(m.index))) continue
      checked++
      const n = String(Number(m[1]))
      if (!known.has(n)) at(m[0], `no section ${m[1]}`)
      if (m[2] !== undefined && m[2].split('.')[0] !== n)
        at(m[0], `${m[2]} is not a heading of section ${m[1]}`)
    }
    // `N.M` and `N.M.K` (also written `0N.M`) on their own. Decimals are told apart by their
    // shape: a leading zero or a large number after the point, or a range (0.2–0.7).
    const bare = /(?<![\w.–-])(\d{1,2})((?:\.\d{1,2}){1,2})(?![\w.–]*\d|–)/g
    for (const m of line.matchAll(bare)) {
      const minor = m[2]!.split('.').slice(1)
      if (minor.some((x) => x.startsWith('0') || Number(x) > 30)) continue
      if (FOREIGN.test(before(m.index))) continue
      const n = `${Number(m[1])}${m[2]}`
      if (NOT_REFERENCES[`${file} ${n}`] !== undefined) continue
      checked++
      if (!known.has(n)) at(m[0], `no heading ${n}`)
    }
  }
  return { checked, broken }
}

describe('the spec cross-references', () => {
  it('name only sections and headings that exist', () => {
    const known = headings()
    let checked = 0
    const broken: Ref[] = []
    for (const f of FILES) {
      const r = checkText(f, readFileSync(SPEC + f, 'utf8'), known)
      checked += r.checked
      broken.push(...r.broken)
    }
    expect(broken).toEqual([])
    // The spec cross-references itself hundreds of times: a checker that finds few is broken.
    expect(checked).toBeGreaterThan(500)
  })

  it('are reported when they name a missing heading or a heading of another section', () => {
    const known = headings()
    const text = [
      'as 5.7 step 4 says (section 05, 5.9), see section 03, 3.11 and (04, 4.4)',
      'a typo in 5.99.1 is a decimal, but 5.19 is not a heading; nor is section 19',
      'the routing rule (section 03, 4.8) and the list (16, 17.9)',
      'RFC 9052 section 4.4 and ISO 32000-1 9.7 are other documents; 0.2–0.7 ms is a range',
    ].join('\n')
    expect(checkText('x.md', text, known).broken.map((r) => r.problem)).toEqual([
      'no section 19',
      'no heading 5.19',
      '4.8 is not a heading of section 03',
      '17.9 is not a heading of section 16',
    ])
  })
})
