/**
 * A lookup across the border (spec 12.5, 11.6): the sending node relays the responsible
 * operator's answer as that operator gave it, `delivery: "paper"` included (17.6), and answers a
 * peer's malformed answer with ERR_PEER_UNAVAILABLE, never with a crash or with "unknown".
 */
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { openMailbox } from '../src/admin/admin.js'
import { newPartyKeys } from './clients.js'
import { KAREN, makeAgency, makeCitizen, servedOnPaper, startPair } from './harness.js'

it('relays a paper-served resident as paper, with the print key, from across the border', async () => {
  await using pair = await startPair()
  const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
  const { to } = await servedOnPaper(pair, eta)
  expect(to).toMatchObject({ status: 'active', operator: 'digitalpost.dk', delivery: 'paper' })
  expect(to.status === 'active' && to.keys.map((k) => k.use)).toEqual(['enc'])
})

it('relays a mailbox with no key yet as active with no keys, as its operator answers it at home', async () => {
  await using pair = await startPair()
  const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
  const skat = await makeAgency(pair, 'dk', 'skat', 'Skattestyrelsen', 'skat')
  await openMailbox(pair.nodes.dk.services, {
    address: 'karen.hansen',
    identifier: 'dk:cpr:0202902345',
    kind: 'person',
  })
  const q = { identifier: 'dk:cpr:0202902345' }
  const expected = {
    status: 'active',
    address: 'karen.hansen@digitalpost.dk',
    operator: 'digitalpost.dk',
    keys: [],
  }
  expect(await skat.client.lookup(q)).toEqual(expected)
  expect(await eta.client.lookup(q)).toEqual(expected)
})

it('relays the keys of a mailbox abroad newest registration first, as its node lists them', async () => {
  await using pair = await startPair()
  const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
  const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
  const newer = [await newPartyKeys(), await newPartyKeys()]
  for (const k of newer) await lars.client.registerKeys(k)
  const to = await eta.client.lookup({ address: lars.address })
  if (to.status !== 'active') throw new Error(`lookup: ${to.status}`)
  expect(to.keys.filter((k) => k.use === 'enc').map((k) => k.kid)).toEqual([
    newer[1]!.enc.kidBase64Url,
    newer[0]!.enc.kidBase64Url,
    lars.keys.enc.kidBase64Url,
  ])
})

it("answers a peer's malformed lookup answer with ERR_PEER_UNAVAILABLE, whatever it is", async () => {
  let answer: string | undefined
  await using pair = await startPair({
    wrapFetch: (side, f) => async (input, init) => {
      const res = await f(input, init)
      if (side !== 'eg' || answer === undefined || !input.endsWith('/directory/lookup')) return res
      return new Response(answer, { status: 200, headers: { 'content-type': 'application/json' } })
    },
  })
  const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
  const ask = (body: string) => {
    answer = body
    return eta.client.lookup({ identifier: KAREN.identifier }).then(
      () => 'answered',
      (e: { code?: string; details?: { status?: number } }) => `${e.details?.status} ${e.code}`,
    )
  }
  const key = { kid: 'k', use: 'enc', jwk: { kty: 'OKP' }, certificate: 'MII' }
  const active = { status: 'active', address: 'lars@digitalpost.dk', keys: [key] }
  for (const body of [
    'not json',
    'null',
    '[]',
    JSON.stringify({ status: 'maybe' }),
    JSON.stringify({ ...active, address: 'lars@post.eg' }),
    JSON.stringify({ ...active, address: 'no address' }),
    JSON.stringify({ ...active, keys: 'k' }),
    JSON.stringify({ ...active, keys: [{ ...key, use: 7 }] }),
    JSON.stringify({ ...active, delivery: 'pigeon' }),
  ])
    expect(await ask(body), body).toBe('502 ERR_PEER_UNAVAILABLE')
  expect(await ask(JSON.stringify(active))).toBe('answered')
  // A JWK is relayed as the peer gave it when it is a JSON object (the sender checks the key
  // against its certificate); anything else in its place is a malformed answer.
  await fc.assert(
    fc.asyncProperty(fc.jsonValue(), async (jwk) => {
      const isObject = typeof jwk === 'object' && jwk !== null && !Array.isArray(jwk)
      expect(await ask(JSON.stringify({ ...active, keys: [{ ...key, jwk }] }))).toBe(
        isObject ? 'answered' : '502 ERR_PEER_UNAVAILABLE',
      )
    }),
    { numRuns: 40 },
  )
})
