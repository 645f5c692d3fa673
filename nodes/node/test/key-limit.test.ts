/**
 * The limit of 32 current keys per mailbox (spec 13.4) on a real node: it is counted in the
 * registration's transaction, so registrations that run at once never leave a mailbox more, and
 * a key registered again is answered as before (200) however full the mailbox is.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { registerSender } from '../src/admin/admin.js'
import { generateKeyPair, type KeyPair } from '../src/core.js'
import { clientFetch, startPair, type Pair } from './harness.js'

const LIMIT = 32

/** An organisation mailbox at the Danish node, and a way to register keys for it. */
async function organisation(pair: Pair, id: string) {
  const dk = pair.nodes.dk
  const r = await registerSender(dk.services, { id, name: id, address: id })
  const register = async (key: KeyPair) => {
    const res = await clientFetch(pair, 'dk')(`${dk.url}/v1/sender/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${r.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ use: 'enc', jwk: key.publicJwk }),
    })
    const body = (await res.json()) as { error?: { code?: string } }
    return res.status === 201 || res.status === 200 ? res.status : body.error?.code
  }
  const count = async () => (await dk.services.storage.listMailboxKeys(r.mailbox.id)).length
  return { register, count }
}

const keys = (n: number) => Promise.all(Array.from({ length: n }, () => generateKeyPair('X25519')))

describe('the limit of keys per mailbox', () => {
  it('never leaves a mailbox more than 32 keys, however many registrations run at once', async () => {
    await using pair = await startPair()
    const org = await organisation(pair, 'skat')
    const answers = await Promise.all((await keys(40)).map(org.register))
    expect(answers.filter((a) => a === 201)).toHaveLength(LIMIT)
    expect(answers.filter((a) => a === 'ERR_INPUT_TOO_LARGE')).toHaveLength(40 - LIMIT)
    expect(await org.count()).toBe(LIMIT)
  })

  it('admits exactly the registrations that fit, and a key registered again, in any order of certification', async () => {
    await using pair = await startPair()
    const svc = pair.nodes.dk.services
    const certifier = svc.certifier
    let run = 0
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: LIMIT - 6, max: LIMIT }),
        fc.integer({ min: 1, max: 8 }),
        async (s, start, added) => {
          const org = await organisation(pair, `org-${run++}`)
          const held = await keys(start)
          for (const k of held) expect(await org.register(k)).toBe(201)
          // Certifications end in the order the scheduler picks: every registration reaches its
          // transaction with the others already past any check made before it.
          svc.certifier = {
            caNotAfter: () => certifier.caNotAfter(),
      caKeyId: () => certifier.caKeyId(),
            certify: s.scheduleFunction((c) => certifier.certify(c)),
          }
          try {
            const fresh = await keys(added)
            const all = Promise.all([...fresh, held[0]!].map(org.register))
            const answers = await s.waitFor(all)
            const fits = Math.min(added, LIMIT - start)
            expect(answers.slice(0, added).filter((a) => a === 201)).toHaveLength(fits)
            expect(answers.slice(0, added).filter((a) => a === 'ERR_INPUT_TOO_LARGE')).toHaveLength(
              added - fits,
            )
            expect(answers[added]).toBe(200)
            expect(await org.count()).toBe(start + fits)
          } finally {
            svc.certifier = certifier
          }
        },
      ),
      { numRuns: 12 },
    )
  })
})
