/**
 * @module clauses/registry
 * The clause registry (spec 30.2): every normative statement of the tested sections, with a
 * stable id `<section>-<n>`, its level, a verbatim excerpt, whom it binds, and whether a
 * black-box run can observe it. The data is `conformance/clauses.json`.
 */
import { readFileSync } from 'node:fs'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface Clause {
  id: string
  level: 'MUST' | 'SHOULD'
  text: string
  appliesTo: 'node' | 'client' | 'sender' | 'verifier'
  implicit?: boolean
  observable?: false
  why?: string
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Every registered clause, in registry order. */
export function loadClauses(): Clause[] {
  return (JSON.parse(readFileSync(join(ROOT, 'clauses.json'), 'utf8')) as { clauses: Clause[] })
    .clauses
}

/** The spec file that holds section `section` (e.g. `11.4` → `spec/11-federation-api.md`). */
export function specFileOf(section: string): string {
  const major = section.split('.')[0]!.padStart(2, '0')
  const dir = join(ROOT, '..', 'spec')
  const f = readdirSync(dir).find((n) => n.startsWith(`${major}-`) && n.endsWith('.md'))
  if (!f) throw new Error(`no spec file for section ${section}`)
  return join(dir, f)
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim()

/** Clauses whose excerpt no longer occurs in their section of the spec (drift). */
export function driftedClauses(clauses: readonly Clause[] = loadClauses()): Clause[] {
  const texts = new Map<string, string>()
  return clauses.filter((c) => {
    const section = c.id.split('-')[0]!
    const file = specFileOf(section)
    if (!texts.has(file)) texts.set(file, norm(readFileSync(file, 'utf8')))
    return !texts.get(file)!.includes(norm(c.text))
  })
}

/** Node clauses a black-box run can observe, by level. */
export function observableNodeClauses(
  level: 'MUST' | 'SHOULD',
  clauses: readonly Clause[] = loadClauses(),
): Clause[] {
  return clauses.filter(
    (c) => c.appliesTo === 'node' && c.level === level && c.observable !== false,
  )
}

/** The sections whose normative statements the registry must hold (spec 30.1). */
export const TESTED_SECTIONS: readonly string[] = [
  '10',
  '11',
  '12',
  '13',
  '14',
  '15',
  '16',
  '17.9',
]

/** A sentence of the spec with an RFC 2119 keyword, and the subsection it is in. */
export interface NormativeSentence {
  section: string
  text: string
}

const KEYWORD = /\b(MUST|SHOULD)\b/

/**
 * Every sentence with `MUST`, `MUST NOT`, `SHOULD` or `SHOULD NOT` in the tested sections:
 * paragraphs, list items and table rows split into sentences, code blocks left out.
 *
 * @example
 * ```ts
 * normativeSentences().filter((s) => s.section === '13.5')
 * ```
 */
export function normativeSentences(
  sections: readonly string[] = TESTED_SECTIONS,
): NormativeSentence[] {
  const out: NormativeSentence[] = []
  const wanted = (sub: string) => sections.some((s) => sub === s || sub.startsWith(`${s}.`))
  for (const major of new Set(sections.map((s) => s.split('.')[0]!))) {
    let section: string | undefined
    let unit: string[] = []
    let fenced = false
    const flush = () => {
      if (section && wanted(section) && unit.length > 0)
        for (const text of norm(unit.join(' ')).split(/(?<=[.;:])\s+(?=[A-Z`*(])/))
          if (KEYWORD.test(text)) out.push({ section, text })
      unit = []
    }
    for (const line of readFileSync(specFileOf(major), 'utf8').split('\n')) {
      if (line.startsWith('```')) {
        flush()
        fenced = !fenced
        continue
      }
      if (fenced) continue
      const heading = /^#+\s+(\d+\.\d+)/.exec(line)
      if (heading || /^#/.test(line)) {
        flush()
        section = heading ? heading[1] : section
        continue
      }
      if (line.trim() === '' || /^\s*([-*]|\d+\.|\|)\s/.test(line)) flush()
      if (line.trim() !== '') unit.push(line.trim())
    }
    flush()
  }
  return out
}

/** Whether a registered excerpt and a spec sentence are the same statement (or parts of one). */
function sameStatement(excerpt: string, sentence: string): boolean {
  const e = norm(excerpt)
  return sentence.includes(e) || e.includes(sentence)
}

/**
 * Sentences with `MUST` or `SHOULD` in the tested sections that match no registered clause of
 * their subsection and no entry of `excluded`: statements the registry has fallen behind on.
 *
 * @example
 * ```ts
 * unregisteredSentences(loadClauses(), EXCLUDED) // [] when the registry is complete
 * ```
 */
export function unregisteredSentences(
  clauses: readonly Clause[],
  excluded: readonly { section: string; excerpt: string }[],
  sentences: readonly NormativeSentence[] = normativeSentences(),
): NormativeSentence[] {
  return sentences.filter(
    (s) =>
      !clauses.some((c) => c.id.split('-')[0] === s.section && sameStatement(c.text, s.text)) &&
      !excluded.some((x) => x.section === s.section && s.text.includes(norm(x.excerpt))),
  )
}

/** Entries of `excluded` that match no sentence any more (the spec changed under them). */
export function staleExclusions<T extends { section: string; excerpt: string }>(
  excluded: readonly T[],
  sentences: readonly NormativeSentence[] = normativeSentences(),
): T[] {
  return excluded.filter(
    (x) => !sentences.some((s) => s.section === x.section && s.text.includes(norm(x.excerpt))),
  )
}
