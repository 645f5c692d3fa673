/**
 * Renewal of mailbox key certificates (spec 13.4) on a real node whose test clock moves on: a
 * key registered once stays reachable for as long as it is registered, its certificate renewed
 * (same key, same kid) before it expires; no expired certificate is ever served; and two
 * registrations at once each name what they displaced.
 */
import { describe, expect, it } from 'vitest'
import { generateKeyPair, recipientKeys } from '../src/core.js'
import type { LookupResult } from '../src/directory/lookup.js'
import { readMailboxCertificate, verifyMailboxCertificate } from '../src/keys/key-certificate.js'
import { createRenewalWorker } from '../src/keys/renewal-worker.js'
import { clockControl } from '../src/test-control/clock.js'
import { sealFor } from './clients.js'
import {
  clientFetch,
  makeAgency,
  makeCitizen,
  startPair,
  trustFrom,
  type Agency,
  type Pair,
} from './harness.js'

const DAY = 86_400_000
const CONTROL = { testControlSecret: 'key-renewal-test-control-secret-0123456789' }

type Active = LookupResult & { status: 'active' }

async function lookUp(agency: Agency, address: string): Promise<Active> {
  const r = await agency.client.lookup({ address })
  if (r.status !== 'active') throw new Error(`lookup of ${address}: ${r.status}`)
  return r
}

/** Every certificate of `r` verifies for its key at the node's time, as a sender checks it. */
async function verifyAll(pair: Pair, r: Active): Promise<void> {
  const trust = await trustFrom(pair.federation.trustListFile, pair.federation.governanceKeyFile)
  const at = Math.floor(pair.nodes.dk.services.now() / 1000)
  for (const k of r.keys) {
    const v = await verifyMailboxCertificate(trust, k.certificate, {
      operator: 'digitalpost.dk',
      use: k.use,
      at,
    })
    expect(v.address).toBe(r.address)
    expect(v.kid).toBe(k.kid)
  }
}

/** A letter from `from` to `to`, sealed at the node's time (its clock is ahead of this one). */
async function sendAtNodeTime(pair: Pair, from: Agency, to: Active): Promise<string> {
  const sealed = await sealFor({
    from: { address: from.address, keys: from.keys },
    to: [{ address: to.address, keys: to }],
    subject: 'Årsopgørelse',
    body: 'Din årsopgørelse er klar.',
    lang: 'da',
    now: pair.nodes.dk.services.now(),
  })
  await from.client.submit(sealed.bytes)
  return sealed.id
}

async function citizenKeys(pair: Pair, token: () => Promise<string>) {
  const dk = pair.nodes.dk
  const res = await clientFetch(pair, 'dk')(`${dk.url}/v1/citizen/keys`, {
    headers: { authorization: `Bearer ${await token()}` },
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { keys: { kid: string; use: string; certificate: string }[] })
    .keys
}

describe('mailbox key certificate renewal', () => {
  it('looks up a key registered at T with a valid certificate at T + 400 days, and a letter sealed to it opens', async () => {
    await using pair = await startPair({ config: CONTROL })
    const skat = await makeAgency(pair, 'dk', 'skat', 'Skattestyrelsen', 'skat')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const before = await lookUp(skat, lars.address)

    clockControl(pair.nodes.dk.services.now)!.advance(400 * DAY)
    // No renewal run: the lookup itself renews what it would serve past its window.
    const after = await lookUp(skat, lars.address)
    expect(after.keys.map((k) => k.kid)).toEqual(before.keys.map((k) => k.kid))
    expect(after.keys.map((k) => k.certificate)).not.toContain(before.keys[0]!.certificate)
    await verifyAll(pair, after)

    const id = await sendAtNodeTime(pair, skat, after)
    const opened = await lars.client.open('/letters', id, lars)
    expect(new TextDecoder().decode(opened.body)).toBe('Din årsopgørelse er klar.')
  })

  it('renews certificates within 30 days of their expiry once, and the device sees the new one', async () => {
    await using pair = await startPair({ config: CONTROL })
    const dk = pair.nodes.dk
    const skat = await makeAgency(pair, 'dk', 'skat', 'Skattestyrelsen', 'skat')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const token = () => lars.client.auth()
    const registered = await citizenKeys(pair, token)

    clockControl(dk.services.now)!.advance(300 * DAY)
    expect(await dk.renewal.runOnce()).toMatchObject({ renewed: 0, more: false })
    clockControl(dk.services.now)!.advance(40 * DAY)
    // Lars's two keys and Skattestyrelsen's two, in one pass; then nothing more is due.
    expect(await dk.renewal.runOnce()).toMatchObject({ due: 4, renewed: 4, more: false })
    expect(await dk.renewal.runOnce()).toMatchObject({ due: 0, renewed: 0 })

    const listed = await citizenKeys(pair, token)
    expect(listed.map((k) => k.kid)).toEqual(registered.map((k) => k.kid))
    for (const [i, k] of listed.entries()) {
      expect(k.certificate).not.toBe(registered[i]!.certificate)
      const cert = await readMailboxCertificate(k.certificate)
      expect(cert.notAfter.getTime()).toBeGreaterThan(dk.services.now() + 360 * DAY)
    }
    await verifyAll(pair, await lookUp(skat, lars.address))
  })

  it('leaves out keys whose certificates expired once the operator CA has expired, and the lookup still answers', async () => {
    await using pair = await startPair({ config: CONTROL })
    const dk = pair.nodes.dk
    const skat = await makeAgency(pair, 'dk', 'skat', 'Skattestyrelsen', 'skat')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const caEnds = dk.services.certifier.caNotAfter()

    clockControl(dk.services.now)!.advance(caEnds - dk.services.now() + DAY)
    expect(await dk.renewal.runOnce()).toMatchObject({ due: 4, renewed: 0, unrenewable: 4 })
    // A bounded pass resumes where the last stopped: keys it cannot renew do not hold it.
    const small = createRenewalWorker(dk.services, { step: 1, maxSteps: 2 })
    const runs = [await small.runOnce(), await small.runOnce(), await small.runOnce()]
    expect(runs.map((r) => [r.due, r.more])).toEqual([
      [2, true],
      [2, true],
      [0, false],
    ])
    await small.stop()
    const after = await lookUp(skat, lars.address)
    expect(after.keys).toEqual([])
    expect(await citizenKeys(pair, () => lars.client.auth())).toEqual([])
  })

  it('signs one renewal of a certificate however many lookups find it due at once', async () => {
    await using pair = await startPair({ config: CONTROL })
    const dk = pair.nodes.dk
    const skat = await makeAgency(pair, 'dk', 'skat', 'Skattestyrelsen', 'skat')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const certifier = dk.services.certifier
    const signed: string[] = []
    dk.services.certifier = {
      caNotAfter: () => certifier.caNotAfter(),
      caKeyId: () => certifier.caKeyId(),
      certify: (c) => {
        signed.push(c.sub)
        return certifier.certify(c)
      },
    }
    clockControl(dk.services.now)!.advance(340 * DAY)
    const answers = await Promise.all(Array.from({ length: 8 }, () => lookUp(skat, lars.address)))
    // Lars's two keys, each certified once; every lookup serves those two certificates.
    expect(signed).toEqual([lars.address, lars.address])
    const served = answers.map((a) => a.keys.map((k) => k.certificate).join())
    expect(new Set(served).size).toBe(1)
    await verifyAll(pair, answers[0]!)
  })

  it('names a different displaced key for each of two registrations made at once', async () => {
    await using pair = await startPair({ config: CONTROL })
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const dk = pair.nodes.dk
    // Writes answered a moment after they commit (as a group commit, or a database across a
    // network, answers them): two requests interleave between their steps, as they may anyway.
    const storage = dk.services.storage
    const later = <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
      async (...a: A): Promise<R> => {
        const r = await f(...a)
        await new Promise((resolve) => setTimeout(resolve, 20))
        return r
      }
    storage.addMailboxKey = later(storage.addMailboxKey.bind(storage))
    storage.registerMailboxKey = later(storage.registerMailboxKey.bind(storage))
    const register = async () => {
      const key = await generateKeyPair('X25519')
      const res = await clientFetch(pair, 'dk')(`${dk.url}/v1/citizen/keys`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await lars.client.auth()}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ use: 'enc', jwk: key.publicJwk }),
      })
      expect(res.status).toBe(201)
      return (await res.json()) as { kid: string; displaced: string[] }
    }
    // Lars's first key and three more: the four that receive.
    for (let i = 0; i < 3; i++) await register()
    for (let round = 0; round < 4; round++) {
      const receiving = recipientKeys(await citizenKeys(pair, () => lars.client.auth()))
      const [a, b] = await Promise.all([register(), register()])
      // Each pushed out one key: of the four that received before, the two oldest, one each.
      expect(a.displaced).toHaveLength(1)
      expect(b.displaced).toHaveLength(1)
      const pushedOut = receiving.slice(2).map((k) => k.kid)
      expect([...a.displaced, ...b.displaced].sort()).toEqual(pushedOut.sort())
    }
  })
})
