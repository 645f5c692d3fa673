/**
 * `SenderClient.evidenceBundle` against a node answered by a fake fetch: the request it makes,
 * waiting until the log covers every record, and answers that are no bundle.
 */
import { createEvidenceBundle, EVIDENCE_BUNDLE_LIMITS, readEvidenceBundle } from '@barid/core'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { generatePartyKeys, type PartyKeys } from '../keys/party-keys.js'
import { createSenderClient, type SenderClient } from '../sender/sender-client.js'
import type { KeyTrust } from '../trust/key-trust.js'

const LETTER = '01a2233d-2a56-7572-91f7-ed2e2a5e9634'
const LARS = 'lars.jensen@digitalpost.dk'
const BASE = 'http://127.0.0.1:7401'

/** A trust that is never asked: fetching a bundle checks no keys. */
const unused: KeyTrust = {
  store: async () => {
    throw new Error('not asked in these tests')
  },
  nodeKey: async () => undefined,
}

let keys: PartyKeys
beforeAll(async () => {
  keys = await generatePartyKeys()
})

/** A bundle of three records of which the first `logged` have a (structurally valid) log entry. */
function bundle(logged: number): Uint8Array {
  const records = [1, 2, 3].map((n) => new Uint8Array(16).fill(n))
  return createEvidenceBundle({
    records,
    certificates: [new Uint8Array([0x30, 0])],
    revocationLists: [],
    log: records.slice(0, logged).map((_, record) => ({
      record,
      checkpoint: new Uint8Array([record + 1]),
      proof: { index: record, size: 3, path: [new Uint8Array(32)] },
      cosignatures: [],
    })),
  })
}

interface Seen {
  url: string
  headers: Record<string, string>
}

/** A sender client whose node answers each request with the next of `answers`, the last again. */
function client(
  answers: (() => Response)[],
  now?: () => number,
): { api: SenderClient; seen: Seen[] } {
  const seen: Seen[] = []
  const api = createSenderClient({
    baseUrl: BASE,
    apiKey: 'barid_sk_test',
    signingKey: keys.signing,
    encryptionKey: keys.encryption,
    trust: unused,
    retry: { retries: 0 },
    ...(now === undefined ? {} : { now }),
    fetch: async (url, init) => {
      seen.push({ url, headers: init?.headers as Record<string, string> })
      return answers[Math.min(seen.length, answers.length) - 1]!()
    },
  })
  return { api, seen }
}

const cbor = (bytes: Uint8Array) => () =>
  new Response(bytes.slice(), { status: 200, headers: { 'content-type': 'application/cbor' } })

describe('the evidence bundle of a letter from the sender API', () => {
  it('is fetched for the recipient with the API key and returned as the node sent it', async () => {
    const full = bundle(3)
    const { api, seen } = client([cbor(full)])
    expect(await api.evidenceBundle(LETTER, { recipient: LARS })).toEqual(full)
    expect(seen).toHaveLength(1)
    const url = new URL(seen[0]!.url)
    expect(url.origin + url.pathname).toBe(`${BASE}/v1/sender/letters/${LETTER}/evidence-bundle`)
    expect(url.searchParams.get('recipient')).toBe(LARS)
    expect(seen[0]!.headers.authorization).toBe('Bearer barid_sk_test')
    expect(seen[0]!.headers.accept).toBe('application/cbor')
  })

  it('asks for the letter first record when no recipient is given', async () => {
    const { api, seen } = client([cbor(bundle(3))])
    await api.evidenceBundle(LETTER)
    expect(new URL(seen[0]!.url).searchParams.has('recipient')).toBe(false)
  })

  it('returns a bundle whose records are not all logged yet at once unless asked to wait', async () => {
    const { api, seen } = client([cbor(bundle(1)), cbor(bundle(3))])
    const got = await api.evidenceBundle(LETTER, { recipient: LARS })
    expect(readEvidenceBundle(got).log).toHaveLength(1)
    expect(seen).toHaveLength(1)
  })

  it('fetches again until every record has its log proof when waiting for the log', async () => {
    const full = bundle(3)
    const { api, seen } = client([cbor(bundle(0)), cbor(bundle(2)), cbor(full)])
    const got = await api.evidenceBundle(LETTER, {
      recipient: LARS,
      waitForLog: true,
      intervalMs: 1,
    })
    expect(got).toEqual(full)
    expect(seen).toHaveLength(3)
  })

  it('fails with ERR_UNAVAILABLE naming how many records were logged when the log does not catch up in time', async () => {
    // A clock that moves 10 ms each time it is read: the wait ends after a few fetches, whatever
    // the load on the machine.
    let t = 0
    const { api, seen } = client([cbor(bundle(2))], () => (t += 10))
    await expect(
      api.evidenceBundle(LETTER, { waitForLog: true, timeoutMs: 30, intervalMs: 1 }),
    ).rejects.toMatchObject({
      code: 'ERR_UNAVAILABLE',
      details: { reason: 'timeout', records: 3, logged: 2 },
    })
    expect(seen.length).toBeGreaterThan(1)
  })

  it('passes on the refusal of the node with its code', async () => {
    const { api } = client([
      () =>
        new Response(
          JSON.stringify({ error: { code: 'ERR_NOT_FOUND', message: 'no such letter' } }),
          { status: 404, headers: { 'content-type': 'application/json' } },
        ),
    ])
    await expect(api.evidenceBundle(LETTER, { recipient: LARS })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    })
  })

  it('refuses a recipient that is no mailbox address before asking the node', async () => {
    const { api, seen } = client([cbor(bundle(3))])
    await expect(api.evidenceBundle(LETTER, { recipient: 'not an address' })).rejects.toMatchObject(
      { code: 'ERR_ADDRESS_INVALID' },
    )
    expect(seen).toHaveLength(0)
  })

  it('stops reading an answer larger than any bundle may be with ERR_INPUT_TOO_LARGE', async () => {
    const chunk = new Uint8Array(1 << 20)
    let sent = 0
    const endless = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(c) {
            sent += chunk.length
            c.enqueue(chunk)
          },
        }),
        { status: 200 },
      )
    const { api } = client([endless])
    await expect(api.evidenceBundle(LETTER)).rejects.toMatchObject({
      code: 'ERR_INPUT_TOO_LARGE',
      details: { limit: 'evidence-bundle', maxBytes: EVIDENCE_BUNDLE_LIMITS.maxBytes },
    })
    expect(sent).toBeLessThan(EVIDENCE_BUNDLE_LIMITS.maxBytes + 4 * chunk.length)
  })

  it('fails with a BaridError, never a crash, for any answer that is not a bundle', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), fc.boolean(), async (body, wait) => {
        const { api } = client([cbor(body)])
        const e = await api.evidenceBundle(LETTER, { waitForLog: wait, timeoutMs: 0 }).then(
          () => undefined,
          (x: unknown) => x,
        )
        expect(e).toMatchObject({ name: 'BaridError' })
        expect(['ERR_EVIDENCE_BUNDLE_MALFORMED', 'ERR_UNSUPPORTED_VERSION']).toContain(
          (e as { code: string }).code,
        )
      }),
      { numRuns: 200 },
    )
  })
})
