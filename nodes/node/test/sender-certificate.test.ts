/**
 * The sender certificate a letter carries abroad (spec 11.4, 13.4) on two real nodes whose test
 * clocks move on together: a certificate within its renewal window when its letter leaves is
 * renewed first, once however many letters it signs, and the renewed one is sent; a renewal that
 * fails sends the certificate there is, as before, and says so in the log; and a letter whose
 * certificate was renewed between two attempts is sent in a transaction of its own, not as a
 * changed copy of the first (which the peer refuses as a conflict, spec 11.4).
 */
import { describe, expect, it } from 'vitest'
import type { LookupResult } from '../src/directory/lookup.js'
import { readMailboxCertificate } from '../src/keys/key-certificate.js'
import { createLogger } from '../src/ops/logger.js'
import { clockControl } from '../src/test-control/clock.js'
import { barid } from '../src/trust/barid-cli.js'
import { sealFor } from './clients.js'
import {
  eventually,
  makeAgency,
  makeCitizen,
  startPair,
  type Agency,
  type Citizen,
  type Pair,
} from './harness.js'

const DAY = 86_400_000
const CONTROL = { testControlSecret: 'sender-certificate-test-control-secret-0123456789' }

type Active = LookupResult & { status: 'active' }

/** The sender certificates of the transactions Denmark sends, as they leave it. */
function capturing(sent: string[]) {
  return (side: 'eg' | 'dk', f: (input: string, init?: RequestInit) => Promise<Response>) =>
    async (input: string, init?: RequestInit) => {
      if (side === 'dk' && init?.method === 'PUT' && input.includes('/federation/transactions/')) {
        const body = JSON.parse(new TextDecoder().decode(init.body as Uint8Array)) as {
          letters: { senderCertificate: string }[]
        }
        for (const l of body.letters) sent.push(l.senderCertificate)
      }
      return f(input, init)
    }
}

/**
 * Both clocks `ms` on, and what a federation renews meanwhile renewed at that time: the trust
 * list (governance reissues it weekly) and each operator's revocation list.
 */
async function advance(pair: Pair, ms: number): Promise<void> {
  for (const side of ['eg', 'dk'] as const) clockControl(pair.nodes[side].services.now)!.advance(ms)
  const at = String(Math.floor(pair.nodes.dk.services.now() / 1000))
  await pair.federation.federation(['reissue', '--now', at])
  for (const side of ['eg', 'dk'] as const) {
    await barid(['operator', 'revoke', '--dir', pair.configs[side].operatorDir, '--now', at])
    await pair.nodes[side].services.trust.held.reload()
  }
}

/** Skattestyrelsen at Denmark, Mona at Egypt Post, and Mona's keys as Denmark serves them. */
async function skatAndMona(pair: Pair): Promise<{ skat: Agency; mona: Citizen }> {
  const skat = await makeAgency(pair, 'dk', 'skat', 'Skattestyrelsen', 'skat')
  const mona = await makeCitizen(pair, 'eg', 'mona', 'eg:nid:29001011234567')
  return { skat, mona }
}

/** A letter from Skattestyrelsen to Mona, sealed at Denmark's time and submitted. */
async function send(pair: Pair, skat: Agency, mona: Citizen, body: string): Promise<string> {
  const to = await skat.client.lookup({ address: mona.address })
  if (to.status !== 'active') throw new Error(`lookup of ${mona.address}: ${to.status}`)
  const sealed = await sealFor({
    from: { address: skat.address, keys: skat.keys },
    to: [{ address: to.address, keys: to as Active }],
    subject: 'Tax information',
    body,
    lang: 'en',
    now: pair.nodes.dk.services.now(),
  })
  await skat.client.submit(sealed.bytes)
  return sealed.id
}

/** `id` as Skattestyrelsen sees it once it is settled for Mona. */
async function settled(skat: Agency, id: string) {
  return eventually(async () => {
    const s = await skat.client.status(id)
    expect(s.recipients[0]!.state).not.toBe('pending')
    return s.recipients[0]!
  }, 10_000)
}

/** The stored certificate of Skattestyrelsen's signing key. */
async function signingCertificate(pair: Pair, skat: Agency): Promise<string> {
  const dk = pair.nodes.dk.services
  const mb = await dk.storage.getMailboxByAddress(skat.address)
  const keys = await dk.storage.listMailboxKeys(mb!.id)
  return keys.find((k) => k.kid === skat.keys.sign.kidBase64Url)!.certificate
}

describe('the sender certificate of a transaction (spec 11.4, 13.4)', () => {
  it('is renewed before its letters leave when it is within 30 days of its end, once for all of them', async () => {
    const sent: string[] = []
    await using pair = await startPair({ config: CONTROL, wrapFetch: capturing(sent) })
    const { skat, mona } = await skatAndMona(pair)
    const registered = await signingCertificate(pair, skat)
    const dk = pair.nodes.dk.services
    const certifier = dk.certifier
    const signed: string[] = []
    dk.certifier = {
      caNotAfter: () => certifier.caNotAfter(),
      caKeyId: () => certifier.caKeyId(),
      certify: (c) => {
        signed.push(`${c.sub} ${c.use}`)
        return certifier.certify(c)
      },
    }

    // 340 days on: the certificate has 25 days left, and no renewal run has come by.
    await advance(pair, 340 * DAY)
    // Each letter in a transaction of its own, the next one sent once the last has arrived.
    for (const body of ['One.', 'Two.', 'Three.']) {
      const id = await send(pair, skat, mona, body)
      expect(await settled(skat, id)).toMatchObject({ state: 'delivered' })
    }

    // Skattestyrelsen's signing key, certified once; every letter carried that certificate.
    expect(signed).toEqual([`${skat.address} sig`])
    const renewed = await signingCertificate(pair, skat)
    expect(renewed).not.toBe(registered)
    expect(sent).toEqual([renewed, renewed, renewed])
    const cert = await readMailboxCertificate(renewed)
    expect(cert.notAfter.getTime()).toBeGreaterThan(dk.now() + 360 * DAY)
  })

  it('is sent as it is, and the failure logged, when its renewal fails', async () => {
    const sent: string[] = []
    await using pair = await startPair({ config: CONTROL, wrapFetch: capturing(sent) })
    const { skat, mona } = await skatAndMona(pair)
    const registered = await signingCertificate(pair, skat)
    const dk = pair.nodes.dk.services
    const certifier = dk.certifier
    dk.certifier = {
      caNotAfter: () => certifier.caNotAfter(),
      caKeyId: () => certifier.caKeyId(),
      certify: () => Promise.reject(new Error('the CA key is on a card that is out')),
    }
    const lines: string[] = []
    dk.log = createLogger({ level: 'warn', write: (l) => lines.push(l) })

    await advance(pair, 340 * DAY)
    const id = await send(pair, skat, mona, 'Still valid for 25 days.')
    expect(await settled(skat, id)).toMatchObject({ state: 'delivered' })
    expect(new Set(sent)).toEqual(new Set([registered]))
    expect(await signingCertificate(pair, skat)).toBe(registered)
    const failures = lines
      .map((l) => JSON.parse(l) as { msg: string; kid?: string })
      .filter((l) => l.msg === 'key certificate renewal failed')
    expect(failures.map((l) => l.kid)).toContain(skat.keys.sign.kidBase64Url)
  })

  it('goes in a new transaction when it was renewed after an attempt whose answer was lost, and the letter is answered delivered', async () => {
    const sent: string[] = []
    const txids: string[] = []
    let lost = false
    let pair: Pair | undefined
    const wrap = capturing(sent)
    await using p = await startPair({
      config: CONTROL,
      wrapFetch: (side, f) => {
        const inner = wrap(side, f)
        return async (input, init) => {
          const tx = side === 'dk' && input.includes('/federation/transactions/')
          if (tx) txids.push(input.split('/').at(-1)!)
          const res = await inner(input, init)
          if (!tx || lost) return res
          // The peer delivered the letter, and its answer is lost on the way back; by the next
          // attempt (well before the letter's deadline) the certificate is within its window.
          lost = true
          await advance(pair!, 2 * DAY)
          throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })
        }
      },
    })
    pair = p
    const { skat, mona } = await skatAndMona(pair)
    const registered = await signingCertificate(pair, skat)
    // 31 days left: not due yet when the letter first leaves.
    await advance(pair, 334 * DAY)

    const id = await send(pair, skat, mona, 'Answered once, lost once.')
    expect(await settled(skat, id)).toMatchObject({ state: 'delivered', code: null })
    const renewed = await signingCertificate(pair, skat)
    expect(renewed).not.toBe(registered)
    expect(sent).toEqual([registered, renewed])
    // Another body, so another transaction: the peer answers it from the mailbox (14.4).
    expect(new Set(txids).size).toBe(2)
    const opened = await eventually(() => mona.client.open('/letters', id, mona))
    expect(new TextDecoder().decode(opened.body)).toBe('Answered once, lost once.')
  })
})
