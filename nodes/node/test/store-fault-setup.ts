/**
 * What the store-fault tests share: Skattestyrelsen and Lars Jensen on the Danish node, letters
 * sealed from one to the other, and the Danish node restarted with its warnings recorded, so a
 * test can then put a failing store in place of its own.
 */
import { createLogger } from '../src/ops/logger.js'
import { sealFor } from './clients.js'
import { makeAgency, makeCitizen, startPair, type Pair } from './harness.js'

/**
 * @example
 * ```ts
 * await using s = await storeFaultSetup(['Årsopgørelse'])
 * s.dk.services.storage = failing(s.dk.services.storage)
 * ```
 */
export async function storeFaultSetup(subjects: string[]) {
  const pair: Pair = await startPair()
  const skat = await makeAgency(pair, 'dk', 'skat', 'Skattestyrelsen', 'skat')
  const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
  const to = await skat.client.lookup({ address: lars.address })
  if (to.status !== 'active') throw new Error(to.status)
  const letters = await Promise.all(
    subjects.map((subject, i) =>
      sealFor({
        from: { address: skat.address, keys: skat.keys },
        to: [{ address: to.address, keys: to }],
        subject,
        body: `Body ${i}`,
        lang: 'da',
      }),
    ),
  )
  await pair.stop('dk')
  const lines: string[] = []
  const dk = await pair.start('dk', {
    log: createLogger({ level: 'warn', write: (l) => lines.push(l) }),
  })
  return {
    pair,
    skat,
    lars,
    letters,
    dk,
    /** The Danish node's log lines from its restart on, parsed. */
    logged: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    lines,
    [Symbol.asyncDispose]: () => pair[Symbol.asyncDispose](),
  }
}
