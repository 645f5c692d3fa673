/**
 * A peer that answers a transaction `200` with a body that is not a well-formed answer (spec
 * 11.4, 14.3): the sending node neither crashes nor settles on it, holds the peer instead of
 * sending again at once, and once the answers are right again the letter ends delivered, once.
 */
import fc from 'fast-check'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect, it } from 'vitest'
import { clientFetch, etaToLars, eventually, startPair } from './harness.js'

/** Bodies a broken or hostile peer might send with a `200`. */
const malformed: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }).map((s) => `not json ${s}`),
  fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer())).map((v) =>
    JSON.stringify(v),
  ),
  fc.oneof(fc.integer(), fc.string(), fc.dictionary(fc.string(), fc.integer())).map((letters) =>
    JSON.stringify({ letters }),
  ),
  fc.oneof(fc.constant(null), fc.integer(), fc.string()).map((item) =>
    JSON.stringify({ letters: [item] }),
  ),
  fc.oneof(fc.constant('0'), fc.constant(-1), fc.constant(0.5), fc.integer({ min: 1 })).map(
    (index) => JSON.stringify({ letters: [{ index, id: null, recipients: [] }] }),
  ),
  fc
    .record({
      address: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant('x'.repeat(400))),
      status: fc.oneof(fc.constant('maybe'), fc.integer(), fc.constant('delivered')),
      evidence: fc.oneof(fc.constant('e'), fc.array(fc.integer(), { minLength: 1, maxLength: 2 })),
    })
    .map((r) => JSON.stringify({ letters: [{ index: 0, id: null, recipients: [r] }] })),
)

it('neither crashes on nor settles by a malformed 200 answer, holds the peer, and delivers once after', async () => {
  let answer: string | undefined
  let attempts = 0
  await using pair = await startPair({
    wrapFetch: (side, f) => async (input, init) => {
      const res = await f(input, init)
      if (side !== 'eg' || !input.includes('/v1/federation/transactions/')) return res
      attempts++
      if (answer === undefined) return res
      return new Response(answer, { status: 200, headers: { 'content-type': 'application/json' } })
    },
    config: { delivery: { baseBackoffMs: 100, maxBackoffMs: 400 } },
  })
  const { eta, lars, send } = await etaToLars(pair, { inProcess: true })

  let n = 0
  await fc.assert(
    fc.asyncProperty(malformed, async (body) => {
      answer = body
      attempts = 0
      const id = await send(`n${n++}`, { kind: 'letter' })
      await eventually(async () => expect(attempts).toBeGreaterThanOrEqual(2), 5000, 10)
      await sleep(300)
      // Held: a handful of attempts with growing gaps, not one after the other.
      expect(attempts).toBeLessThanOrEqual(12)
      expect((await eta.client.status(id)).recipients[0]!.state).toBe('pending')

      answer = undefined
      await eventually(async () =>
        expect((await eta.client.status(id)).recipients[0]!.state).toBe('delivered'),
      )
      const listed = (await lars.client.list('/letters', 'limit=200')).letters
      expect(listed.filter((x) => x.letterId === id)).toHaveLength(1)
    }),
    { numRuns: 8 },
  )
  const metrics = await (await clientFetch(pair, 'eg')(`${pair.nodes.eg.url}/metrics`)).text()
  expect(metrics).toMatch(
    /^barid_federation_transactions_total\{peer="digitalpost\.dk",outcome="malformed"\} (\d+)$/m,
  )
})
