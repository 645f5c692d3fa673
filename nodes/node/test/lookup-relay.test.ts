/**
 * A lookup across the border (spec 12.5, 11.6): the sending node relays the responsible
 * operator's answer as that operator gave it, `delivery: "paper"` included (17.6), less the keys
 * whose certificates do not verify at its own time, and answers a peer's malformed answer with
 * ERR_PEER_UNAVAILABLE, never with a crash or with "unknown".
 */
import { trustFromStore, verifyLookupResult } from '@barid/client'
import fc from 'fast-check'
import { toBase64Url } from '../src/core.js'
import { expect, it } from 'vitest'
import { openMailbox } from '../src/admin/admin.js'
import type { LookupResult } from '../src/directory/lookup.js'
import { createX509Certifier, type KeyCertifier } from '../src/keys/key-certificate.js'
import { loadOperatorCredentials } from '../src/keys/operator-credentials.js'
import { createLogger } from '../src/ops/logger.js'
import { clockControl } from '../src/test-control/clock.js'
import { newPartyKeys, type PartyKeys } from './clients.js'
import {
  KAREN,
  makeAgency,
  makeCitizen,
  servedOnPaper,
  startPair,
  trustFrom,
  type Pair,
  type Side,
} from './harness.js'

const DAY = 86_400_000
const CONTROL = { testControlSecret: 'lookup-relay-test-control-secret-0123456789' }

/**
 * A pair whose Danish node answers Egypt's lookups with the certificates of `substitutes` (by
 * kid) in place of the ones it serves: a peer that serves certificates it should have renewed or
 * left out (11.6), or wrong ones. Egypt's node logs its warnings to `lines`.
 */
async function pairServing(substitutes: Map<string, string>, lines: string[]) {
  const pair = await startPair({
    config: CONTROL,
    wrapFetch: (side, f) => async (input, init) => {
      const res = await f(input, init)
      if (side !== 'eg' || !input.endsWith('/directory/lookup')) return res
      const answer = (await res.json()) as LookupResult
      if (answer.status === 'active')
        for (const k of answer.keys) k.certificate = substitutes.get(k.kid) ?? k.certificate
      return Response.json(answer, { status: res.status })
    },
  })
  await pair.stop('eg')
  await pair.start('eg', { log: createLogger({ level: 'warn', write: (l) => lines.push(l) }) })
  return pair
}

/** Certifies with the operator CA of `side`, certificates of `lifetimeDays`. */
async function certifier(pair: Pair, side: Side, lifetimeDays: number): Promise<KeyCertifier> {
  const creds = await loadOperatorCredentials(pair.configs[side].operatorDir, {
    operator: pair.configs[side].profile.operator,
  })
  return createX509Certifier({ ca: creds.ca, lifetimeDays })
}

/** Both nodes' clocks moved on together, so that requests between them stay fresh. */
function advanceBoth(pair: Pair, ms: number) {
  for (const side of ['eg', 'dk'] as const) clockControl(pair.nodes[side].services.now)!.advance(ms)
}

/** What `@barid/client` makes of an answer at Egypt's node time: the keys it would seal to. */
async function asSenderSees(pair: Pair, answer: LookupResult) {
  const store = await trustFrom(pair.federation.trustListFile, pair.federation.governanceKeyFile)
  const r = await verifyLookupResult(answer, {
    trust: trustFromStore(store, { revocation: false }),
    now: pair.nodes.eg.services.now(),
  })
  return r.status === 'active' ? r.encryptionKeys.map((k) => k.kid) : r.status
}

const certify = (c: KeyCertifier, address: string, k: PartyKeys['enc'], now: number) =>
  c.certify({ sub: address, use: 'enc', jwk: k.publicJwk, now }).then((r) => r.certificate)

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

it('leaves out of a relayed answer a key whose certificate expired or is not yet valid, and relays the rest', async () => {
  const substitutes = new Map<string, string>()
  const lines: string[] = []
  await using pair = await pairServing(substitutes, lines)
  const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
  const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
  const [expiring, early] = [await newPartyKeys(), await newPartyKeys()]
  for (const k of [expiring, early]) await lars.client.registerKeys(k)
  const now = pair.nodes.dk.services.now()
  // A certificate of a day, two days ago by then, and one that starts in three days.
  substitutes.set(
    expiring.enc.kidBase64Url,
    await certify(await certifier(pair, 'dk', 1), lars.address, expiring.enc, now),
  )
  substitutes.set(
    early.enc.kidBase64Url,
    await certify(await certifier(pair, 'dk', 365), lars.address, early.enc, now + 3 * DAY),
  )
  advanceBoth(pair, 2 * DAY)

  const to = await eta.client.lookup({ address: lars.address })
  if (to.status !== 'active') throw new Error(`lookup: ${to.status}`)
  expect(to.keys.map((k) => k.kid)).toEqual([
    early.sign.kidBase64Url,
    expiring.sign.kidBase64Url,
    lars.keys.enc.kidBase64Url,
    lars.keys.sign.kidBase64Url,
  ])
  expect(await asSenderSees(pair, to)).toEqual([lars.keys.enc.kidBase64Url])
  const left = lines
    .map((l) => JSON.parse(l) as { msg: string; kid?: string; code?: string })
    .filter((l) => l.msg.startsWith('relayed lookup key left out'))
  expect(left.map((l) => [l.kid, l.code])).toEqual([
    [early.enc.kidBase64Url, 'ERR_CERT_NOT_YET_VALID'],
    [expiring.enc.kidBase64Url, 'ERR_CERT_EXPIRED'],
  ])
})

it('relays a mailbox abroad whose every certificate is stale as active with no keys, as one without a key yet', async () => {
  const substitutes = new Map<string, string>()
  await using pair = await pairServing(substitutes, [])
  const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
  const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
  const short = await certifier(pair, 'dk', 1)
  const now = pair.nodes.dk.services.now()
  substitutes.set(lars.keys.enc.kidBase64Url, await certify(short, lars.address, lars.keys.enc, now))
  const sig = await short.certify({
    sub: lars.address,
    use: 'sig',
    jwk: lars.keys.sign.publicJwk,
    now,
  })
  substitutes.set(lars.keys.sign.kidBase64Url, sig.certificate)
  advanceBoth(pair, 2 * DAY)

  const to = await eta.client.lookup({ identifier: lars.identifier })
  expect(to).toEqual({
    status: 'active',
    address: lars.address,
    operator: 'digitalpost.dk',
    keys: [],
  })
  // The sender finds no key to seal to: ERR_KEY_NOT_FOUND (11.6), not a refused answer.
  expect(await asSenderSees(pair, to)).toEqual([])
})

it('leaves out a relayed key whose certificate is for another mailbox, key, use or operator, or no certificate at all', async () => {
  const substitutes = new Map<string, string>()
  const lines: string[] = []
  await using pair = await pairServing(substitutes, lines)
  const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax')
  const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234')
  const now = pair.nodes.dk.services.now()
  const dk = await certifier(pair, 'dk', 365)
  const other = await newPartyKeys()
  const enc = lars.keys.enc.kidBase64Url
  const ask = async (certificate: string) => {
    substitutes.set(enc, certificate)
    lines.length = 0
    const to = await eta.client.lookup({ address: lars.address })
    if (to.status !== 'active') throw new Error(`lookup: ${to.status}`)
    expect(to.keys.map((k) => k.kid)).toEqual([lars.keys.sign.kidBase64Url])
    return lines.map((l) => (JSON.parse(l) as { code?: string }).code)
  }
  const sigCertificate = await dk.certify({
    sub: lars.address,
    use: 'sig',
    jwk: lars.keys.sign.publicJwk,
    now,
  })
  const cases: [string, string][] = [
    [
      await certify(dk, 'karen.holm@digitalpost.dk', lars.keys.enc, now),
      'ERR_CERT_OPERATOR_MISMATCH',
    ],
    [await certify(dk, lars.address, other.enc, now), 'ERR_KEY_INVALID'],
    [sigCertificate.certificate, 'ERR_CERT_PROFILE'],
    [
      await certify(await certifier(pair, 'eg', 365), 'lars@post.eg', lars.keys.enc, now),
      'ERR_CERT_OPERATOR_MISMATCH',
    ],
  ]
  for (const [certificate, code] of cases) expect(await ask(certificate)).toEqual([code])
  // Whatever text stands in a certificate's place, the key is left out, never the answer.
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 300 }),
        fc.uint8Array({ minLength: 1, maxLength: 600 }).map((b) => toBase64Url(b)),
      ),
      async (certificate) => {
        expect(await ask(certificate)).toHaveLength(1)
      },
    ),
    { numRuns: 40 },
  )
})
