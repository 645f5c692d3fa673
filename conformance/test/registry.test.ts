/**
 * The clause registry (spec 30.2) and the check and mutant catalogues agree with each other and
 * with the spec text.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { allChecks } from '../src/checks/index.js'
import { EXCLUDED } from '../src/clauses/exclusions.js'
import {
  driftedClauses,
  loadClauses,
  normativeSentences,
  staleExclusions,
  unregisteredSentences,
} from '../src/clauses/registry.js'
import { MUTANT_CHECKS } from '../src/mutation/catalogue.js'

describe('the clause registry', () => {
  it('finds every clause excerpt in its section of the spec', () => {
    expect(driftedClauses().map((c) => c.id)).toEqual([])
  })

  it('gives every clause a unique id of the form <section>-<n>', () => {
    const ids = loadClauses().map((c) => c.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^\d{2}\.\d+-\d+$/)
  })

  it('registers or explicitly excludes every MUST and SHOULD sentence in the tested sections', () => {
    const missing = unregisteredSentences(loadClauses(), EXCLUDED)
    expect(missing.map((s) => `${s.section}: ${s.text}`)).toEqual([])
  })

  it('finds the sentences it judges, and each exclusion still names one', () => {
    const sentences = normativeSentences()
    expect(sentences.length).toBeGreaterThan(90)
    const majors = new Set(sentences.map((s) => s.section.split('.')[0]))
    for (const m of ['10', '11', '12', '13', '14', '15', '16']) expect(majors.has(m), m).toBe(true)
    // Of section 17, only 17.9 (the log in a node) is tested; it has no keyword sentence yet.
    expect(sentences.filter((s) => s.section.startsWith('17.') && s.section !== '17.9')).toEqual([])
    expect(staleExclusions(EXCLUDED).map((x) => `${x.section}: ${x.excerpt}`)).toEqual([])
  })

  it('notices a sentence the registry does not hold', () => {
    const clauses = loadClauses().filter((c) => c.id !== '13.5-4')
    expect(unregisteredSentences(clauses, EXCLUDED).map((s) => s.section)).toEqual(['13.5'])
  })

  it('explains every clause a black-box run cannot observe', () => {
    for (const c of loadClauses().filter((x) => x.observable === false))
      expect(c.why?.length).toBeGreaterThan(10)
  })
})

describe('the checks', () => {
  it('have unique ids and name only registered clauses', () => {
    const checks = allChecks()
    const ids = checks.map((c) => c.id)
    expect(new Set(ids).size).toBe(ids.length)
    const known = new Set(loadClauses().map((c) => c.id))
    for (const c of checks) {
      expect(c.clauses.length).toBeGreaterThan(0)
      for (const k of c.clauses) expect(known.has(k), `${c.id} names ${k}`).toBe(true)
    }
  })

  it('target every mutant with existing checks, and the reference node knows every mutant', () => {
    const ids = new Set(allChecks().map((c) => c.id))
    for (const [m, checks] of Object.entries(MUTANT_CHECKS)) {
      expect(checks.length, m).toBeGreaterThan(0)
      for (const c of checks) expect(ids.has(c), `${m} → ${c}`).toBe(true)
    }
    // The node's catalogue is read as text: the suite never imports the node.
    const nodeMutants = readFileSync(
      fileURLToPath(new URL('../../nodes/node/src/test-control/mutants.ts', import.meta.url)),
      'utf8',
    )
    const names = [...nodeMutants.matchAll(/^ {2}'([a-z-]+)':/gm)].map((x) => x[1])
    expect(names.sort()).toEqual(Object.keys(MUTANT_CHECKS).sort())
    expect(names.length).toBeGreaterThanOrEqual(12)
  })
})
