/**
 * Integration tests of `@barid/client` against two real reference nodes (Egypt Post and
 * Denmark) started by their command line and reached over loopback HTTP and WebSocket only.
 */
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  allSettled,
  createCitizenClient,
  createSenderClient,
  generatePartyKeys,
  requestDevToken,
  trustFromNode,
  type CitizenClient,
  type KeyTrust,
  type LetterEvent,
  type PartyKeyAlgorithms,
  type SenderClient,
} from '@barid/client'
import { admin, startLocalFederation, type LocalFederation } from './local-federation.js'

let fed: LocalFederation
let trust: KeyTrust
let agency: SenderClient
let lars: CitizenClient
const LARS = 'dk:cpr:0101901234'

async function newAgency(
  id: string,
  fetcher?: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>,
  algorithms: PartyKeyAlgorithms = {},
): Promise<SenderClient> {
  const r = (await admin(fed.eg, 'POST', '/v1/admin/senders', {
    id,
    name: `Agency ${id}`,
    address: id,
  })) as { apiKey: string }
  const keys = await generatePartyKeys(algorithms)
  return createSenderClient({
    baseUrl: fed.eg.url,
    apiKey: r.apiKey,
    signingKey: keys.signing,
    encryptionKey: keys.encryption,
    trust,
    ...(fetcher ? { fetch: fetcher } : {}),
  })
}

async function waitUntil<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 100))
  }
}

beforeAll(async () => {
  fed = await startLocalFederation()
  trust = trustFromNode(fed.eg.url, {
    governanceKeys: [
      JSON.parse(await readFile(fed.governanceKeyFile, 'utf8')) as Record<string, unknown>,
    ],
  })
  await admin(fed.dk, 'POST', '/v1/admin/mailboxes', {
    address: 'lars.jensen',
    identifier: LARS,
    kind: 'person',
  })
  await admin(fed.dk, 'POST', '/v1/admin/mailboxes', {
    address: 'exempt.person',
    identifier: 'dk:cpr:0202801234',
    kind: 'person',
    status: 'exempt',
  })
  agency = await newAgency('eta')
  lars = createCitizenClient({
    baseUrl: fed.dk.url,
    token: () => requestDevToken({ baseUrl: fed.dk.url, identifier: LARS }),
    keys: await generatePartyKeys(),
    trust,
  })
  await lars.registerKeys({ label: 'test phone' })
}, 60_000)

afterAll(async () => {
  await fed?.close()
})

describe('@barid/client against two real nodes', () => {
  it("seals on the sender's side, streams multi-MiB attachments through both nodes, and the citizen opens them byte for byte", async () => {
    const big = new Uint8Array(5 * 1024 * 1024 + 3)
    for (let i = 0; i < big.length; i += 65536)
      crypto.getRandomValues(big.subarray(i, Math.min(big.length, i + 65536)))
    const streamed = new TextEncoder().encode('a streamed attachment\n'.repeat(1000))
    const sealed = await agency.seal({
      to: LARS,
      kind: 'registered',
      subject: 'Big files',
      body: 'Two attachments',
      attachments: [
        { filename: 'big.bin', mediaType: 'application/octet-stream', data: new Blob([big]) },
        {
          filename: 'notes.txt',
          mediaType: 'text/plain',
          stream: () => new Blob([streamed]).stream(),
        },
      ],
    })
    const first = await agency.submit(sealed)
    // A retry of the same request (same Idempotency-Key) is answered with the first answer.
    expect(await agency.submit(sealed)).toEqual(first)
    // The same letter under another key is recognised as a duplicate, not accepted twice.
    expect((await agency.submit(sealed, { idempotencyKey: 'another-key' })).duplicate).toBe(true)
    const status = await agency.waitForStatus(sealed.letterId, allSettled, { timeoutMs: 20_000 })
    expect(status.recipients).toMatchObject([
      { address: 'lars.jensen@digitalpost.dk', state: 'delivered' },
    ])

    const mail = await lars.open(sealed.letterId)
    expect(mail.subject).toBe('Big files')
    expect(mail.attachments.map((a) => a.filename)).toEqual(['big.bin', 'notes.txt'])
    const got = await mail.attachments[0]!.bytes()
    expect(got.length).toBe(big.length)
    expect(Buffer.from(got).equals(Buffer.from(big))).toBe(true)
    expect(new TextDecoder().decode(await mail.attachments[1]!.bytes())).toBe(
      new TextDecoder().decode(streamed),
    )
  }, 40_000)

  it('sends a batch with progress and a result per letter, rejecting exempt and unknown recipients without sending them', async () => {
    const progress: string[] = []
    const outcome = await agency.sendBatch(
      [
        { to: LARS, body: 'one' },
        { to: 'dk:cpr:0202801234', body: 'to an exempt person' },
        { to: 'lars.jensen@digitalpost.dk', body: 'three' },
        { to: 'dk:cpr:0101901235', body: 'to nobody' },
      ],
      { onProgress: (p) => progress.push(`${p.phase} ${p.done}/${p.total}`), chunkSize: 1 },
    )
    expect(outcome).toMatchObject({ total: 4, accepted: 2, rejected: 2 })
    expect(outcome.batchIds).toHaveLength(2)
    expect(outcome.results.map((r) => [r.status, r.code ?? null])).toEqual([
      ['accepted', null],
      ['rejected', 'ERR_RECIPIENT_EXEMPT'],
      ['accepted', null],
      ['rejected', 'ERR_RECIPIENT_UNKNOWN'],
    ])
    expect(progress).toContain('sealing 4/4')
    expect(progress.at(-1)).toBe('processing 4/4')
  }, 40_000)

  it('looks each recipient up once per batch, however many letters go to them', async () => {
    const lookups: string[] = []
    const counting = (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      if (url.pathname === '/v1/sender/directory') lookups.push(url.search)
      return fetch(input, init)
    }
    const bulk = await newAgency('bulk', counting)
    const outcome = await bulk.sendBatch(
      Array.from({ length: 12 }, (_, i) => ({
        to: i % 3 === 0 ? 'lars.jensen@digitalpost.dk' : LARS,
        body: `letter ${i}`,
      })),
    )
    expect(outcome).toMatchObject({ total: 12, accepted: 12, rejected: 0 })
    expect(lookups).toHaveLength(2)
  }, 40_000)

  it('lets a citizen reply in the thread, and the agency opens the reply from its inbox', async () => {
    const sent = await agency.send({
      to: LARS,
      subject: 'Question',
      body: 'Please confirm your address.',
    })
    await agency.waitForStatus(sent.letterId, allSettled)
    const reply = await lars.reply(sent.letterId, { subject: 'Re: Question', body: 'Confirmed.' })
    expect(reply.recipients[0]!.address).toBe(await agency.address())
    const entry = await waitUntil(async () =>
      (await agency.inbox.list()).letters.find((l) => l.letterId === reply.letterId),
    )
    expect(entry.threadId).toBe(sent.letterId)
    const opened = await agency.inbox.open(reply.letterId)
    expect([opened.subject, opened.text(), opened.header.replyTo]).toEqual([
      'Re: Question',
      'Confirmed.',
      sent.letterId,
    ])
    expect((await lars.sentStatus(reply.letterId)).recipients[0]!.state).toBe('delivered')
  }, 30_000)

  it('carries a registered letter from an agency with P-256 keys (ES256, ECDH-P256) and its reply back', async () => {
    const p256 = await newAgency('nbe', undefined, { signing: 'ES256', encryption: 'ECDH-P256' })
    const sent = await p256.send({
      to: LARS,
      kind: 'registered',
      subject: 'Account notice',
      body: 'Signed with ES256.',
    })
    const status = await p256.waitForStatus(sent.letterId, allSettled)
    expect(status.recipients).toMatchObject([{ state: 'delivered' }])
    const mail = await lars.open(sent.letterId)
    expect([mail.subject, mail.text()]).toEqual(['Account notice', 'Signed with ES256.'])
    const reply = await lars.reply(sent.letterId, { subject: 'Re: notice', body: 'Seen.' })
    await waitUntil(async () =>
      (await p256.inbox.list()).letters.find((l) => l.letterId === reply.letterId),
    )
    expect((await p256.inbox.open(reply.letterId)).text()).toBe('Seen.')
  }, 30_000)

  it('pages through the mailbox, newest first, with the unread filter', async () => {
    const all = []
    for await (const e of lars.entries()) all.push(e)
    expect(all.length).toBeGreaterThanOrEqual(4)
    expect(all.map((e) => e.cursor)).toEqual([...all.map((e) => e.cursor)].sort((a, b) => b - a))
    const page = await lars.list({ limit: 2 })
    expect(page.letters).toHaveLength(2)
    expect(page.nextCursor).toBe(page.letters[1]!.cursor)
    const target = all[0]!
    await lars.markOpened(target.letterId)
    const unread = []
    for await (const e of lars.entries({ unread: true })) unread.push(e.letterId)
    expect(unread).not.toContain(target.letterId)
    await lars.delete(target.letterId)
    await expect(lars.get(target.letterId)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
  }, 30_000)

  it("turns the node's refusals into BaridErrors with their codes", async () => {
    const keys = await generatePartyKeys()
    const stranger = createSenderClient({
      baseUrl: fed.eg.url,
      apiKey: 'barid_sk_AAAAAAAAAAAAAAAA.nope',
      signingKey: keys.signing,
      encryptionKey: keys.encryption,
      trust,
    })
    await expect(stranger.lookup(LARS)).rejects.toMatchObject({
      code: 'ERR_UNAUTHENTICATED',
      details: { httpStatus: 401 },
    })
    await expect(lars.open('01a22356-703b-7ac6-b76a-162d2df06ae1')).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    })
    const nobody = createCitizenClient({
      baseUrl: fed.dk.url,
      token: await requestDevToken({ baseUrl: fed.dk.url, identifier: 'dk:cpr:0303701234' }),
      keys,
      trust,
    })
    await expect(nobody.me()).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' })
    await expect(agency.send({ to: 'dk:cpr:0202801234', body: 'x' })).rejects.toMatchObject({
      code: 'ERR_RECIPIENT_EXEMPT',
    })
  }, 30_000)

  it("resumes a subscription after its cursor and keeps it through a restart of the citizen's node without missing a letter", async () => {
    const first: LetterEvent[] = []
    const sub = lars.subscribe((e) => void first.push(e), {
      after: (await lars.list({ limit: 1 })).letters[0]?.cursor ?? 0,
    })
    await sub.ready
    const a = await agency.send({ to: LARS, body: 'while subscribed' })
    await waitUntil(async () => (first.some((e) => e.letterId === a.letterId) ? true : undefined))
    sub.close()
    await sub.closed

    // Away: a letter arrives; a new subscription from the saved cursor gets exactly that one.
    const b = await agency.send({ to: LARS, body: 'while away' })
    await agency.waitForStatus(b.letterId, allSettled)
    const second: LetterEvent[] = []
    const errors: unknown[] = []
    const sub2 = lars.subscribe((e) => void second.push(e), {
      after: sub.cursor,
      reconnect: { baseDelayMs: 100, maxDelayMs: 500 },
      onError: (e) => errors.push(e),
    })
    await sub2.ready
    expect(second.map((e) => e.letterId)).toEqual([b.letterId])

    // The citizen's node restarts; a letter submitted meanwhile (sealed before: the lookup
    // needs the recipient's node) waits at the sender's node and follows.
    const sealed = await agency.seal({ to: LARS, body: 'during the restart' })
    const c = sealed.letterId
    await fed.restart('dk', { whileDown: async () => void (await agency.submit(sealed)) })
    await waitUntil(async () => (second.some((e) => e.letterId === c) ? true : undefined), 25_000)
    expect(second.map((e) => e.letterId)).toEqual([b.letterId, c])
    expect(errors.length).toBeGreaterThan(0) // the lost connection was reported, then healed
    await sub2[Symbol.asyncDispose]()
  }, 50_000)

  it('hands a pushed letter to the handler again after the handler threw, the cursor never passing it meanwhile', async () => {
    const start = (await lars.list({ limit: 1 })).letters[0]?.cursor ?? 0
    const failed: LetterEvent[] = []
    const handled: LetterEvent[] = []
    const errors: unknown[] = []
    const cursorAtError: number[] = []
    let sub: ReturnType<CitizenClient['subscribe']> | undefined
    sub = lars.subscribe(
      async (e) => {
        if (failed.length === 0) {
          failed.push(e)
          throw new Error('boom')
        }
        handled.push(e)
      },
      {
        after: start,
        reconnect: { baseDelayMs: 100, maxDelayMs: 500 },
        onError: (err) => {
          errors.push(err)
          cursorAtError.push(sub!.cursor)
        },
      },
    )
    await sub.ready
    const a = await agency.send({ to: LARS, body: 'the first try to handle this fails' })
    const b = await agency.send({ to: LARS, body: 'and this one follows it' })
    await waitUntil(async () => (handled.some((e) => e.letterId === b.letterId) ? true : undefined))
    expect(failed.map((e) => e.letterId)).toEqual([a.letterId])
    expect(handled.map((e) => e.letterId)).toEqual([a.letterId, b.letterId])
    expect(errors).toMatchObject([{ message: 'boom' }])
    expect(cursorAtError).toEqual([start])
    expect(sub.cursor).toBe(handled[1]!.cursor)
    await sub[Symbol.asyncDispose]()
  }, 30_000)
})
