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
