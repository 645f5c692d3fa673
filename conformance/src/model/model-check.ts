/**
 * @module model/model-check
 * The model-based property (spec 14.4, 30.5) as a check: fast-check generates command
 * sequences (send on every route, duplicate, reorder, race, take the peer down and up, make it
 * answer ambiguously, open, let deadlines pass), runs each against the real nodes from a fresh
 * start, and then checks the end-of-run invariants. A failure reports its seed, path and the
 * shrunk command sequence, with a trace of what each command did.
 */
import fc from 'fast-check'
import { Failure, type Check } from '../checks/check.js'
import { checkProperty, commandsOf } from '../checks/property.js'
import { commandArbitraries } from './commands.js'
import { checkInvariants } from './invariants.js'
import { initialModel, setupReal, type Real } from './model.js'

export const modelChecks: Check[] = [
  {
    id: 'model.federation',
    title:
      'model-based: every letter ends delivered exactly once or reported not delivered, with complete evidence, whatever the order, duplicates, outages and deadlines',
    group: 'model',
    clauses: [
      '14.4-1',
      '14.4-2',
      '14.4-3',
      '14.4-4',
      '14.5-1',
      '11.4-10',
      '11.4-15',
      '11.4-17',
      '11.4-18',
      '11.4-2',
      '11.4-13',
      '13.5-1',
      '11.5-1',
    ],
    kind: 'model',
    timeoutMs: 240_000,
    async run(ctx) {
      const { world } = ctx
      await checkProperty(
        ctx,
        fc.asyncProperty(
          commandsOf(commandArbitraries(), ctx.property, 14),
          async (cmds) => {
            let real: Real | undefined
            const model = initialModel()
            try {
              await fc.asyncModelRun(async () => {
                real = await setupReal(world)
                return { model, real }
              }, cmds)
              await checkInvariants(model, real!)
              ctx.log(`model run: ${real!.trace.length} steps: ${real!.trace.join(' | ')}`)
            } catch (e) {
              if (e instanceof Failure && real)
                throw new Failure(
                  `${e.message}\n  trace: ${real.trace.join(' | ')}`,
                  e.clause,
                  undefined,
                  e.exchange,
                )
              throw e
            }
          },
        ),
        '14.4-3',
        { timeLimitMs: 200_000 },
      )
    },
  },
]
