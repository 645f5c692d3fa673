/**
 * The answers a peer may give to an attachment upload (spec 11.5) follow the retry table of
 * transactions (14.3): a final `4xx` ends the letters that name the blob at once, not delivered
 * with the peer's code (the sending node's own record for registered mail), and the rest of the
 * transaction goes on; a retried status is retried, after the peer's `Retry-After` when it gives
 * one; an upload that is not answered is retried without making its letters ambiguous (they were
 * not sent). The HEAD before an upload is read by the same table: a retried status retries the
 * attempt without uploading. An attachment gone from the sending node's own store is its own
 * fault (14.4): its letters end at once with `ERR_NOT_FOUND`, and the peer is not held for it.
 * So is a store that fails to read a blob or the letters (a disk error, a permission), which may
 * pass: those letters are retried, logged as an error and counted as `local-store`, not as the
 * peer's failure. An attempt whose HEAD or upload fails counts as `upload`, not `transport`.
 * Real nodes on loopback ports; only digitalpost.dk's answers to chosen requests are replaced,
 * before they reach it.
 */
import { mkdir, mkdtemp, rm, symlink, truncate } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import type { NodeConfigInput } from '../src/config/config.js'
import { createLogger } from '../src/ops/logger.js'
import { blobPathFor, createDiskBlobStore } from '../src/storage/blob-store.js'
import { sealFor, type PlainAttachment } from './clients.js'
import { etaToLars, eventually, startPair } from './harness.js'
import { endsInOwnRecord } from './own-record.js'

/** What digitalpost.dk answers to a request instead of taking it, or a cut connection. */
type Answer = { status: number; code?: string; retryAfter?: string } | 'reset'

const file = (size: number, fill: number): PlainAttachment => ({
  filename: `scan-${fill}.bin`,
  mediaType: 'application/octet-stream',
  bytes: new Uint8Array(size).fill(fill),
})

/**
 * A pair on loopback ports. `answers.set(digest, (n) => ...)` replaces digitalpost.dk's answer
 * to post.eg's `n`-th upload (from 0) of that blob (undefined: the real answer), `headAnswers`
 * its answer to the `n`-th HEAD of it; `uploads` and `heads` hold the times of each blob's
 * uploads and HEADs. While `link.down`, no federation request of post.eg connects.
 */
async function pairAnswering(config: NodeConfigInput = {}) {
  const answers = new Map<string, (n: number) => Answer | undefined>()
  const headAnswers = new Map<string, (n: number) => Answer | undefined>()
  const uploads = new Map<string, number[]>()
  const heads = new Map<string, number[]>()
  const link = { down: false }
  const pair = await startPair({
    listen: true,
    config,
    wrapFetch: (side, f) => async (input, init) => {
      if (side === 'eg' && link.down && input.includes('/v1/federation/'))
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })
      const digest = /\/v1\/federation\/blobs\/([0-9a-f]+)$/.exec(input)?.[1]
      const method = init?.method
      if (side !== 'eg' || !digest || (method !== 'PUT' && method !== 'HEAD')) return f(input, init)
      const seen = method === 'PUT' ? uploads : heads
      const times = seen.get(digest) ?? []
      seen.set(digest, times)
      const answer = (method === 'PUT' ? answers : headAnswers).get(digest)?.(times.length)
      times.push(Date.now())
      if (!answer) return f(input, init)
      // Nothing is sent: release the blob file post.eg opened for the upload.
      if (init?.body instanceof ReadableStream) await init.body.cancel()
      if (answer === 'reset')
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })
      const headers = new Headers({
        'content-type': answer.code ? 'application/json' : 'text/plain',
      })
      if (answer.retryAfter !== undefined) headers.set('retry-after', answer.retryAfter)
      const body = answer.code
        ? JSON.stringify({ error: { code: answer.code, message: 'refused' } })
        : 'refused by a proxy'
      return new Response(method === 'HEAD' ? null : body, { status: answer.status, headers })
    },
  })
  const { eta, lars } = await etaToLars(pair, { inProcess: true })
  const to = await eta.client.lookup({ address: lars.address })
  if (to.status !== 'active') throw new Error('not active')
  /** A letter from ETA to Lars with `attachments`, sealed, not yet submitted. */
  const seal = (
    subject: string,
    attachments: PlainAttachment[],
    o: { kind?: 'letter' | 'registered'; expiresInSeconds?: number } = {},
  ) =>
    sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      kind: o.kind ?? 'registered',
      subject,
      body: subject,
      lang: 'en',
      attachments,
      ...(o.expiresInSeconds ? { expiresInSeconds: o.expiresInSeconds } : {}),
    })
  const submit = async (l: Awaited<ReturnType<typeof seal>>) => {
    for (const b of l.blobs) await eta.client.uploadBlob(b.digest, b.bytes)
    await eta.client.submit(l.bytes)
  }
  const state = async (id: string) => {
    const r = (await eta.client.status(id)).recipients[0]!
    return [r.state, r.code]
  }
  return { pair, answers, headAnswers, uploads, heads, link, eta, lars, seal, submit, state }
}

/** Final refusals of an upload besides 413 and ERR_ATTACHMENT_MISMATCH (spec 14.3). */
const finals = [
  { status: 403, code: 'ERR_FORBIDDEN', shown: 'ERR_FORBIDDEN' },
  { status: 422, code: 'ERR_INVALID_ARGUMENT', shown: 'ERR_INVALID_ARGUMENT' },
  // No Barid body (a proxy's page): read as the peer failing, in the status and the record.
  { status: 400, code: undefined, shown: 'ERR_PEER_UNAVAILABLE' },
] as const

for (const f of finals) {
  it(`ends only the letters naming a blob refused with ${f.status} ${f.code ?? 'and no code'} at once, in the senders record`, async () => {
    const run = await pairAnswering()
    await using _pair = run.pair
    const refused = await run.seal('refused', [file(2048, 1)])
    const digest = refused.blobs[0]!.digest
    run.answers.set(digest, () => ({ status: f.status, ...(f.code ? { code: f.code } : {}) }))
    const fine = await run.seal('fine', [file(512, 2)])
    const plain = await run.seal('plain', [], { kind: 'letter' })
    const t0 = Date.now()
    for (const l of [refused, fine, plain]) await run.submit(l)

    await eventually(
      async () => expect(await run.state(refused.id)).toEqual(['not-delivered', f.shown]),
      8000,
    )
    // At once (its deadline is 30 days away), and the refusal is not tried again.
    expect(Date.now() - t0).toBeLessThan(8000)
    expect(run.uploads.get(digest)).toHaveLength(1)
    for (const l of [fine, plain])
      await eventually(async () => expect((await run.state(l.id))[0]).toBe('delivered'))
    const listed = (await run.lars.client.list('/letters')).letters.map((l) => l.letterId)
    expect(listed.sort()).toEqual([fine.id, plain.id].sort())
    await endsInOwnRecord(run.pair.nodes.eg.services, refused.id, run.lars.address, f.shown)
  })
}

it('retries an upload answered with a retried status and delivers its letter once it is taken', async () => {
  const run = await pairAnswering()
  await using _pair = run.pair
  const l = await run.seal('later', [file(1024, 3)])
  const script: Answer[] = [
    { status: 401, code: 'ERR_FED_KEY_UNKNOWN' },
    { status: 408 },
    { status: 425 },
    { status: 409, code: 'ERR_FED_TRANSACTION_CONFLICT' },
    { status: 500 },
  ]
  run.answers.set(l.blobs[0]!.digest, (n) => script[n])
  await run.submit(l)
  await eventually(async () => expect(await run.state(l.id)).toEqual(['delivered', null]), 8000)
  expect(run.uploads.get(l.blobs[0]!.digest)).toHaveLength(script.length + 1)
})

/** A `Retry-After` of at least two seconds from now, in each form RFC 9110 gives it. */
const retryAfterForms = {
  seconds: () => '2',
  // Whole seconds: three seconds ahead is at least two once cut to the second.
  'an HTTP-date': () => new Date(Date.now() + 3000).toUTCString(),
}

for (const [status, [form, retryAfter]] of [429, 503].flatMap((s) =>
  Object.entries(retryAfterForms).map((f) => [s, f] as const),
)) {
  it(`waits for the Retry-After in ${form} of an upload answered ${status} before trying it again`, async () => {
    const run = await pairAnswering()
    await using _pair = run.pair
    const l = await run.seal('wait', [file(1024, 4)])
    const digest = l.blobs[0]!.digest
    run.answers.set(digest, (n) => (n === 0 ? { status, retryAfter: retryAfter() } : undefined))
    await run.submit(l)
    await eventually(async () => expect(await run.state(l.id)).toEqual(['delivered', null]), 8000)
    const [first, second] = run.uploads.get(digest)!
    // Without it, the next try comes after the backoff of the pair (at most 200 ms).
    expect(second! - first!).toBeGreaterThanOrEqual(1900)
  })
}

it('does not make letters ambiguous when an upload goes unanswered, so they expire at their deadline', async () => {
  const run = await pairAnswering()
  await using _pair = run.pair
  const l = await run.seal('never taken', [file(1024, 5)], { expiresInSeconds: 2 })
  run.answers.set(l.blobs[0]!.digest, () => 'reset')
  await run.submit(l)
  // The letter was never sent: the peer cannot hold it, so its deadline settles it.
  await eventually(
    async () => expect(await run.state(l.id)).toEqual(['not-delivered', 'ERR_DELIVERY_EXPIRED']),
    8000,
  )
  await endsInOwnRecord(run.pair.nodes.eg.services, l.id, run.lars.address, 'ERR_DELIVERY_EXPIRED')
})

it('retries an attempt whose HEAD is answered with a retried status without uploading the blob', async () => {
  const run = await pairAnswering()
  await using _pair = run.pair
  const l = await run.seal('asked again', [file(1024, 6)])
  const digest = l.blobs[0]!.digest
  const script: Answer[] = [{ status: 401 }, { status: 500 }, { status: 502 }, { status: 408 }]
  run.headAnswers.set(digest, (n) => script[n])
  await run.submit(l)
  await eventually(async () => expect(await run.state(l.id)).toEqual(['delivered', null]), 8000)
  // Asked again after each of them; uploaded once, after the HEAD that was really answered (404).
  expect(run.heads.get(digest)).toHaveLength(script.length + 1)
  expect(run.uploads.get(digest)).toHaveLength(1)
  expect(run.uploads.get(digest)![0]).toBeGreaterThanOrEqual(run.heads.get(digest)!.at(-1)!)
})

for (const status of [429, 503]) {
  it(`waits for the Retry-After of a HEAD answered ${status} before asking or uploading again`, async () => {
    const run = await pairAnswering()
    await using _pair = run.pair
    const l = await run.seal('wait to ask', [file(1024, 7)])
    const digest = l.blobs[0]!.digest
    run.headAnswers.set(digest, (n) => (n === 0 ? { status, retryAfter: '2' } : undefined))
    await run.submit(l)
    await eventually(async () => expect(await run.state(l.id)).toEqual(['delivered', null]), 8000)
    const [first, second] = run.heads.get(digest)!
    expect(second! - first!).toBeGreaterThanOrEqual(1900)
    expect(run.uploads.get(digest)).toHaveLength(1)
    expect(run.uploads.get(digest)![0]! - first!).toBeGreaterThanOrEqual(1900)
  })
}

it('uploads a blob whose HEAD is answered with a final 4xx and lets the upload answer decide', async () => {
  const run = await pairAnswering()
  await using _pair = run.pair
  // A proxy that does not pass HEAD on says nothing of the blob: the upload is taken.
  const l = await run.seal('no head', [file(1024, 8)])
  run.headAnswers.set(l.blobs[0]!.digest, () => ({ status: 405 }))
  await run.submit(l)
  await eventually(async () => expect(await run.state(l.id)).toEqual(['delivered', null]), 8000)
  expect(run.heads.get(l.blobs[0]!.digest)).toHaveLength(1)
  expect(run.uploads.get(l.blobs[0]!.digest)).toHaveLength(1)
})

for (const fault of ['deleted', 'truncated'] as const) {
  it(`ends only the letters naming an attachment ${fault} in the senders own store at once, without holding the peer`, async () => {
    const run = await pairAnswering()
    await using _pair = run.pair
    const lost = await run.seal('lost', [file(2048, 9)])
    const digest = lost.blobs[0]!.digest
    const fine = await run.seal('fine', [file(512, 10)])
    const plain = await run.seal('plain', [], { kind: 'letter' })
    // Queued while digitalpost.dk cannot be reached; then the blob is gone from post.eg's disk
    // (an operator's mistake), or cut short (a fault), while its letter's row names it still.
    run.link.down = true
    for (const l of [lost, fine, plain]) await run.submit(l)
    await run.pair.stop('eg')
    const path = blobPathFor(run.pair.configs.eg.blobDir, digest)
    if (fault === 'deleted') await rm(path)
    else await truncate(path, 100)
    run.link.down = false
    const lines: string[] = []
    await run.pair.start('eg', { log: createLogger({ level: 'warn', write: (l) => lines.push(l) }) })
    const t0 = Date.now()

    await eventually(
      async () => expect(await run.state(lost.id)).toEqual(['not-delivered', 'ERR_NOT_FOUND']),
      8000,
    )
    // At once (its deadline is 30 days away), and never offered to digitalpost.dk.
    expect(Date.now() - t0).toBeLessThan(8000)
    expect(run.uploads.get(digest)).toBeUndefined()
    for (const l of [fine, plain])
      await eventually(async () => expect((await run.state(l.id))[0]).toBe('delivered'))
    const listed = (await run.lars.client.list('/letters')).letters.map((l) => l.letterId)
    expect(listed.sort()).toEqual([fine.id, plain.id].sort())
    const eg = run.pair.nodes.eg.services
    await endsInOwnRecord(eg, lost.id, run.lars.address, 'ERR_NOT_FOUND')

    // The fault is post.eg's own: its operator is told, and digitalpost.dk is not held for it.
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'error', letterId: lost.id, digest }),
    )
    expect(logged.map((l) => l.msg)).not.toContain('peer failed: holding its deliveries')
    const metrics = await eg.metrics.registry.render()
    expect(metrics).toContain('barid_letters_failed_total{code="ERR_NOT_FOUND"} 1')
    expect(metrics).not.toMatch(/^barid_peer_consecutive_failures\{/m)
  })
}

/** An error as node:fs gives it, for a fault of post.eg's own disk. */
const diskError = (code: 'EIO' | 'EACCES', syscall: string, path?: string) =>
  Object.assign(new Error(`${code}: simulated, ${syscall}`), {
    code,
    syscall,
    ...(path ? { path } : {}),
  })

/** The stream of `source` cut by a disk error after its first chunk. */
function failingAfterFirstChunk(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  let chunks = 0
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      if (chunks++ > 0) {
        await reader.cancel()
        throw diskError('EIO', 'read')
      }
      const r = await reader.read()
      if (r.done) ctl.close()
      else ctl.enqueue(r.value)
    },
    cancel: (reason) => reader.cancel(reason),
  })
}

/**
 * A disk blob store in which `digest` cannot be looked up: its path is a symbolic link to
 * itself (stat fails with ELOOP), a file system fault that root, running the tests, cannot
 * bypass as it would a permission.
 */
async function loopingBlobStore(digest: string) {
  const root = await mkdtemp(join(tmpdir(), 'barid-looping-'))
  const path = blobPathFor(root, digest)
  await mkdir(join(path, '..'), { recursive: true })
  await symlink(path, path)
  return {
    store: createDiskBlobStore(root),
    path,
    [Symbol.asyncDispose]: () => rm(root, { recursive: true, force: true }),
  }
}

/**
 * Where post.eg's own store fails, once (a disk that recovers, a permission put right): looking
 * the blob up, opening it, reading it mid-upload, or reading the letters of an attempt.
 */
const localFaults = {
  'when it looks the attachment up': 'stat',
  'when it opens the attachment': 'open',
  'while it uploads the attachment': 'read',
  'when it reads the letters of an attempt': 'letters',
} as const

for (const [when, fault] of Object.entries(localFaults)) {
  it(`retries letters its own store fails to read ${when}, without holding the peer or blaming it`, async () => {
    const run = await pairAnswering()
    await using _pair = run.pair
    await run.pair.stop('eg')
    const lines: string[] = []
    const eg = (
      await run.pair.start('eg', {
        log: createLogger({ level: 'warn', write: (l) => lines.push(l) }),
      })
    ).services
    // A blob of several chunks, so that the upload is cut after it has begun.
    const hit = await run.seal('hit', [file(300_000, 11)])
    const digest = hit.blobs[0]!.digest
    const fine = await run.seal('fine', [file(512, 12)])
    const plain = await run.seal('plain', [], { kind: 'letter' })
    let faults = 1
    const blobs = eg.blobs
    const storage = eg.storage
    if (fault === 'stat')
      eg.blobs = {
        ...blobs,
        size: async (d) =>
          d === digest && faults-- > 0
            ? Promise.reject(diskError('EACCES', 'stat', `/data/blobs/${d}`))
            : blobs.size(d),
      }
    // The disk store itself failing to look the blob up when it opens it, once.
    await using looping = await loopingBlobStore(digest)
    if (fault === 'open')
      eg.blobs = {
        ...blobs,
        open: async (d) => (d === digest && faults-- > 0 ? looping.store.open(d) : blobs.open(d)),
      }
    if (fault === 'read')
      eg.blobs = {
        ...blobs,
        open: async (d) =>
          d === digest && faults-- > 0 ? failingAfterFirstChunk(await blobs.open(d)) : blobs.open(d),
      }
    if (fault === 'letters')
      eg.storage = Object.assign(Object.create(storage) as typeof storage, {
        getLettersWithBytes: async (ids: string[]) =>
          ids.includes(hit.id) && faults-- > 0
            ? Promise.reject(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }))
            : storage.getLettersWithBytes(ids),
      })
    for (const l of [hit, fine, plain]) await run.submit(l)

    // Retried (the store recovered), not settled for good, and the other letters delivered.
    for (const l of [hit, fine, plain])
      await eventually(async () => expect(await run.state(l.id)).toEqual(['delivered', null]), 8000)
    expect(faults).toBeLessThan(1)
    if (fault === 'read') expect(run.uploads.get(digest)).toHaveLength(2)

    // The fault is post.eg's own: its operator is told what failed, and digitalpost.dk is
    // neither held for it nor counted as failing.
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    const error = logged.find((l) => l.level === 'error')
    expect(error).toMatchObject({
      peer: 'digitalpost.dk',
      code: { stat: 'EACCES', open: 'ELOOP', read: 'EIO', letters: 'SQLITE_IOERR' }[fault],
      ...(fault === 'letters' ? {} : { digest, letterId: hit.id }),
      ...(fault === 'stat' ? { path: `/data/blobs/${digest}`, syscall: 'stat' } : {}),
      ...(fault === 'open' ? { path: looping.path, syscall: 'stat' } : {}),
    })
    expect(String(error?.msg)).toMatch(/own store/)
    expect(logged.map((l) => l.msg)).not.toContain('peer failed: holding its deliveries')
    expect(logged.map((l) => l.msg)).not.toContain('delivery attempt crashed')
    const metrics = await eg.metrics.registry.render()
    expect(metrics).toMatch(
      /^barid_federation_transactions_total\{peer="digitalpost.dk",outcome="local-store"\} 1$/m,
    )
    expect(metrics).not.toMatch(/outcome="(transport|upload)"/)
    expect(metrics).not.toMatch(/^barid_letters_failed_total\{/m)
  })
}

it('counts an attempt whose upload fails apart from transactions that fail', async () => {
  const run = await pairAnswering()
  await using _pair = run.pair
  const l = await run.seal('later', [file(1024, 13)])
  const digest = l.blobs[0]!.digest
  run.answers.set(digest, (n) => (n === 0 ? { status: 503 } : n === 1 ? 'reset' : undefined))
  run.headAnswers.set(digest, (n) => (n === 0 ? { status: 502 } : undefined))
  await run.submit(l)
  await eventually(async () => expect(await run.state(l.id)).toEqual(['delivered', null]), 8000)
  const metrics = await run.pair.nodes.eg.services.metrics.registry.render()
  // The HEAD answered 502, the upload 503, the upload cut off; then the transaction, answered.
  expect(metrics).toMatch(
    /^barid_federation_transactions_total\{peer="digitalpost.dk",outcome="upload"\} 3$/m,
  )
  expect(metrics).toMatch(
    /^barid_federation_transactions_total\{peer="digitalpost.dk",outcome="ok"\} 1$/m,
  )
  expect(metrics).not.toMatch(/outcome="transport"/)
})
