/**
 * The mutation score (spec 30.7): the reference node passes the targeted checks, and each
 * deliberately broken variant fails at least one of them.
 */
import { describe, expect, it } from 'vitest'
import { mutantNames } from '../src/mutation/catalogue.js'
import { runMutation } from '../src/mutation/run.js'

describe('mutants of the reference node', () => {
  it('catches every mutant while the real node passes', async () => {
    const m = await runMutation({ runs: 3, seed: 7 })
    expect(m.baseline.results.filter((r) => r.status !== 'pass').map((r) => r.id)).toEqual([])
    const missed = m.mutants
      .filter((r) => !r.caught)
      .map((r) => `${r.mutant}: ${r.error ?? 'not caught'}`)
    expect(missed).toEqual([])
    expect(m.mutants.map((r) => r.mutant)).toEqual(mutantNames())
    expect(m.score.ratio).toBe(1)
  }, 240_000)
})
