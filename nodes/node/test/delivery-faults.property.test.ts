/**
 * Property: whatever faults the network and the nodes suffer (peer down, 5xx, timeouts after
 * the peer processed, duplicated and reordered transactions, the sending node restarted in the
 * middle), every letter ends delivered exactly once or not delivered, and the sender's node
 * knows which.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sealFor, type Fetch } from './clients.js'
import { eventually, makeAgency, makeCitizen, startPair, type Side } from './harness.js'

type Fault = 'ok' | 'down' | '503' | '500-after' | 'timeout-after' | 'duplicate' | 'delay'

const faultArb = fc.constantFrom<Fault>(
  'ok',
  'ok',
  'down',
  '503',
  '500-after',
  'timeout-after',
  'duplicate',
  'delay',
)

function injector(faults: Fault[], healed: () => boolean): (side: Side, f: Fetch) => Fetch {
  let i = 0
  return (side, f) => async (input, init) => {
    if (side !== 'eg' || healed()) return f(input, init)
    const fault = faults[i++ % faults.length]!
    const replayable = !(init?.body instanceof ReadableStream)
    switch (fault) {
      case 'down':
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })
      case '503':
        return new Response(
          JSON.stringify({ error: { code: 'ERR_UNAVAILABLE', message: 'injected' } }),
          { status: 503, headers: { 'content-type': 'application/json' } },
        )
      case '500-after': {
        await (await f(input, init)).arrayBuffer()
        return new Response('proxy error', { status: 502 })
      }
      case 'timeout-after': {
        await (await f(input, init)).arrayBuffer()
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_SOCKET' } })
      }
      case 'duplicate': {
        if (!replayable) return f(input, init)
        const [a, b] = await Promise.all([f(input, init), f(input, init)])
        await a.arrayBuffer()
        return b
      }
      case 'delay':
        await new Promise((r) => setTimeout(r, 5 + (i % 40)))
        return f(input, init)
      default:
        return f(input, init)
    }
  }
}

describe('delivery under injected faults', () => {
  it('ends every letter delivered exactly once or not delivered, and the sender knows which', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(faultArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean()), {
          minLength: 3,
          maxLength: 10,
        }),
        fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
        fc.integer({ min: 150, max: 2000 }),
        async (faults, letters, restartAfter, maxDeliveryMs) => {
          let healed = false
          await using pair = await startPair({
            wrapFetch: injector(faults, () => healed),
            config: { delivery: { maxDeliveryMs, concurrencyPerPeer: 3, batchSize: 4 } },
          })
          const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
          const people = [
            await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234'),
            await makeCitizen(pair, 'dk', 'mette', 'dk:cpr:0202851234'),
            await makeCitizen(pair, 'dk', 'jens', 'dk:cpr:0303801234'),
          ]
          const keys = []
          healed = true // lookups are not under test
          for (const p of people) {
            const r = await eta.client.lookup({ address: p.address })
            if (r.status !== 'active') throw new Error('lookup')
            keys.push(r)
          }
          healed = false
          const sent: { id: string; to: string[] }[] = []
          for (const [n, [who, withFile]] of letters.entries()) {
            if (restartAfter === n) {
              await pair.stop('eg')
              await pair.start('eg')
            }
            // who = 3: a letter to two people at once
            const to = who === 3 ? [keys[0]!, keys[1]!] : [keys[who]!]
            const l = await sealFor({
              from: { address: eta.address, keys: eta.keys },
              to: to.map((k) => ({ address: k.address, keys: k })),
              kind: 'registered',
              subject: `n${n}`,
              body: `letter ${n}`,
              lang: 'en',
              attachments: withFile
                ? [
                    {
                      filename: 'f.pdf',
                      mediaType: 'application/pdf',
                      bytes: new Uint8Array(2000 + n).fill(n),
                    },
                  ]
                : [],
            })
            for (const b of l.blobs) await eta.client.uploadBlob(b.digest, b.bytes)
            await eta.client.submit(l.bytes)
            sent.push({ id: l.id, to: to.map((k) => k.address) })
          }
          await new Promise((r) => setTimeout(r, 150))
          healed = true
          pair.nodes.eg.engine.heardFrom('digitalpost.dk')
          await eventually(
            async () => expect(await pair.nodes.eg.services.storage.queueDepth()).toEqual([]),
            20_000,
          )

          const dk = pair.nodes.dk.services.storage
          const eg = pair.nodes.eg.services.storage
          for (const l of sent) {
            const statuses = await eg.getRecipients(l.id)
            const held = await dk.findDeliveries(l.id)
            for (const address of l.to) {
              const st = statuses.find((s) => s.address === address)!
              const mb = (await dk.getMailboxByAddress(address))!
              const copies = held.filter((h) => h.mailboxId === mb.id).length
              expect(copies).toBeLessThanOrEqual(1)
              expect(['delivered', 'not-delivered']).toContain(st.state)
              expect(st.state === 'delivered').toBe(copies === 1)
              if (st.state === 'not-delivered') expect(st.code).toBe('ERR_DELIVERY_EXPIRED')
            }
          }
        },
      ),
      { numRuns: Number(process.env.BARID_FAULT_RUNS ?? 12), endOnFailure: true },
    )
  }, 120_000)
})
