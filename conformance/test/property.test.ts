/**
 * A counterexample of a model check replays exactly from what the report prints (spec 30.6):
 * seed, path and, for a command sequence, its replay path, all three in the replay command.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Failure, type CheckContext, type PropertyParams } from '../src/checks/check.js'
import { checkProperty, commandsOf, replayPathOf } from '../src/checks/property.js'
import type { CheckResult } from '../src/report/result.js'
import { replayCommand } from '../src/report/terminal.js'

interface Counter {
  n: number
}

/** Adds one; the property fails at the fifth, so a counterexample is shrunk. */
class Add implements fc.AsyncCommand<Counter, Counter> {
  check = () => true
  async run(_m: Counter, r: Counter) {
    r.n++
    if (r.n >= 5) throw new Failure('the fifth add')
  }
  toString = () => 'Add'
}

/** Does nothing, so a sequence can hold commands that did not matter. */
class Idle implements fc.AsyncCommand<Counter, Counter> {
  check = () => true
  async run() {}
  toString = () => 'Idle'
}

async function failureOf(property: PropertyParams) {
  const ctx = { property, log: () => {} } as unknown as CheckContext
  const e = await checkProperty(
    ctx,
    fc.asyncProperty(
      commandsOf([fc.constant(new Add()), fc.constant(new Idle())], property, 20),
      async (cmds) => {
        await fc.asyncModelRun(() => ({ model: { n: 0 }, real: { n: 0 } }), cmds)
      },
    ),
    '14.4-3',
  ).catch((x: unknown) => x)
  expect(e).toBeInstanceOf(Failure)
  return (e as Failure).property!
}

describe('replaying a model counterexample', () => {
  it('reproduces the printed counterexample from seed, path and replay path', async () => {
    const first = await failureOf({ numRuns: 200, seed: 20260301 })
    expect(first.numShrinks).toBeGreaterThan(0)
    expect(first.replayPath).toBeDefined()
    expect(first.replayPath).toBe(replayPathOf(first.counterexample))
    const again = await failureOf({
      numRuns: 200,
      seed: first.seed,
      path: first.path,
      replayPath: first.replayPath!,
    })
    expect(again.counterexample).toBe(first.counterexample)
  })

  it('prints the replay path in the replay command, quoted for the shell', () => {
    const r = {
      id: 'model.federation',
      property: {
        ...{ seed: 7, path: '3:1', counterexample: '', numRuns: 4, numShrinks: 2 },
        replayPath: 'J:A',
      },
    } as CheckResult
    expect(replayCommand(r, 'pnpm conformance')).toBe(
      'pnpm conformance --only model.federation --seed 7 --path 3:1 --replay-path J:A',
    )
    r.property!.replayPath = "A'B"
    expect(replayCommand(r, 'pnpm conformance')).toContain(`--replay-path 'A'\\''B'`)
  })
})
