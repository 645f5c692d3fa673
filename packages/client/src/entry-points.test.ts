import { createServer } from 'node:net'
import { BaridError, generateKeyPair } from '@barid/core'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import * as client from './index.js'
import type { KeyTrust, LetterStatus, SealedSubmission } from './index.js'

/** A loopback port nothing listens on: every request to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

/** A trust that trusts nothing and never fetches. */
const noTrust: KeyTrust = {
  store: async () => {
    throw new BaridError('ERR_TRUST_LIST_EXPIRED', 'no list in this test')
  },
  nodeKey: async () => undefined,
}

/** Values a plain-JS caller might pass by mistake: JSON-ish junk and a few worse ones. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    maxDepth: 2,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withNullPrototype: true,
    withObjectString: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true,
  }),
  fc.constantFrom<unknown>(
    undefined,
    null,
    Number.NaN,
    -1,
    Infinity,
    '',
    'nope',
    [],
    [null],
    {},
    new Date(Number.NaN),
    new Uint8Array(3),
    Symbol('x'),
    () => undefined,
  ),
)

interface Entry {
  /** `client.method(arg, …)` as the message of a failing case shows it. */
  name: string
  /** Arguments that are right in shape (some reach the network, which refuses them). */
  args: () => unknown[]
  call: (args: unknown[]) => unknown
}

/**
 * Runs a call to its end: a returned promise is awaited, an async generator is stepped once, a
 * subscription closed. Resolves with the error it failed with, or undefined.
 */
async function outcome(run: () => unknown): Promise<unknown> {
  const timeout = new Promise<string>((r) => setTimeout(() => r('hung'), 10_000).unref())
  const settle = async () => {
    try {
      let v = run()
      if (v && typeof (v as Promise<unknown>).then === 'function') v = await v
      if (v && typeof (v as AsyncGenerator).next === 'function') {
        const g = v as AsyncGenerator
        try {
          await g.next()
        } finally {
          await g.return(undefined)
        }
      }
      const sub = v as { close?: unknown } | undefined
      if (sub && typeof sub.close === 'function') (sub as { close(): void }).close()
      return undefined
    } catch (e) {
      return e
    }
  }
  return Promise.race([settle(), timeout])
}

let base: string
let keys: client.PartyKeys
let sender: client.SenderClient
let citizen: client.CitizenClient
const entries: Entry[] = []

const sealed = (): SealedSubmission =>
  ({
    letterId: '01a2233d-2a56-7572-91f7-ed2e2a5e9634',
    digest: 'ab'.repeat(32),
    bytes: new Uint8Array(8),
    header: {},
    attachments: [],
  }) as unknown as SealedSubmission

const status = (): LetterStatus => ({
  letterId: '01a2233d-2a56-7572-91f7-ed2e2a5e9634',
  digest: 'ab',
  duplicate: false,
  recipients: [{ address: 'lars@digitalpost.dk', state: 'pending', code: null }],
  evidence: [],
})

const sendInput = () => ({
  to: 'dk:cpr:0101901234',
  subject: 'Tax',
  body: 'Hello',
  attachments: [{ filename: 'a.txt', mediaType: 'text/plain', data: new Uint8Array(2) }],
  expires: new Date(Date.UTC(2030, 0, 1)),
})

beforeAll(async () => {
  base = `http://127.0.0.1:${await closedPort()}`
  keys = await client.generatePartyKeys()
  const common = { baseUrl: base, trust: noTrust, retry: { retries: 0 } }
  const senderOptions = () => ({
    ...common,
    apiKey: 'barid_sk_test',
    signingKey: keys.signing,
    encryptionKey: keys.encryption,
  })
  const citizenOptions = () => ({ ...common, token: 'token', keys })
  sender = client.createSenderClient(senderOptions())
  citizen = client.createCitizenClient(citizenOptions())
  const id = () => ['01a2233d-2a56-7572-91f7-ed2e2a5e9634']
  const mailboxEntries = (prefix: string, m: client.Mailbox): Entry[] => [
    entry(`${prefix}.list`, () => [{ limit: 10 }], m.list),
    entry(`${prefix}.entries`, () => [{ unread: true }], m.entries),
    entry(`${prefix}.get`, id, m.get),
    entry(`${prefix}.open`, id, m.open),
    entry(`${prefix}.markOpened`, id, m.markOpened),
    entry(`${prefix}.delete`, id, m.delete),
  ]
  const lars = 'lars@digitalpost.dk'
  const jwk = keys.signing.publicJwk
  entries.push(
    entry('createSenderClient', () => [senderOptions()], client.createSenderClient),
    entry('sender.registerKeys', () => [{ label: 'x' }], sender.registerKeys),
    entry('sender.revokeKey', () => ['abc'], sender.revokeKey),
    entry('sender.lookup', () => ['dk:cpr:0101901234'], sender.lookup),
    entry('sender.seal', () => [sendInput()], sender.seal),
    entry('sender.send', () => [sendInput()], sender.send),
    entry('sender.submit', () => [sealed(), { idempotencyKey: 'k' }], sender.submit),
    entry('sender.sendBatch', () => [[sendInput()], { chunkSize: 10 }], sender.sendBatch),
    entry('sender.status', id, sender.status),
    entry('sender.waitForStatus', () => [...id(), () => true, {}], sender.waitForStatus),
    entry('sender.evidence', id, sender.evidence),
    entry(
      'sender.evidenceBundle',
      () => [...id(), { recipient: lars, waitForLog: true, timeoutMs: 10, intervalMs: 1 }],
      sender.evidenceBundle,
    ),
    ...mailboxEntries('sender.inbox', sender.inbox),
    entry('allSettled', () => [status()], client.allSettled),
    entry('createCitizenClient', () => [citizenOptions()], client.createCitizenClient),
    entry('citizen.registerKeys', () => [{}], citizen.registerKeys),
    entry('citizen.revokeKey', () => ['abc'], citizen.revokeKey),
    entry('citizen.lookup', () => [lars], citizen.lookup),
    entry('citizen.reply', () => [id()[0], { body: 'Thanks' }], citizen.reply),
    entry('citizen.sentStatus', id, citizen.sentStatus),
    entry('citizen.subscribe', () => [() => undefined, { after: 0 }], citizen.subscribe),
    ...mailboxEntries('citizen', citizen),
    entry(
      'requestDevToken',
      () => [{ baseUrl: base, identifier: 'dk:cpr:0101901234' }],
      client.requestDevToken,
    ),
    entry(
      'subscribe',
      () => [{ baseUrl: base, token: async () => 't' }, () => undefined, { after: 1 }],
      client.subscribe,
    ),
    entry(
      'generatePartyKeys',
      () => [{ extractable: false, signing: 'ES256', encryption: 'ECDH-P256' }],
      client.generatePartyKeys,
    ),
    entry('exportPartyKeys', () => [keys], client.exportPartyKeys),
    entry('importPartyKeys', () => [{ v: 1 }, {}], client.importPartyKeys),
    entry(
      'verifyKeyCertificate',
      () => ['AAAA', { trust: noTrust, address: lars, use: 'enc' }],
      client.verifyKeyCertificate,
    ),
    entry('toLookupQuery', () => [lars], client.toLookupQuery),
    entry(
      'verifyLookupResult',
      () => [{ status: 'unknown' }, { trust: noTrust }],
      client.verifyLookupResult,
    ),
    // The trust is built at once and fetches on first use: both steps are run.
    entry('trustFromNode', () => [base, { governanceKeys: [jwk] }], (...a: never[]) =>
      (client.trustFromNode as (...x: unknown[]) => KeyTrust)(...a).store(),
    ),
    entry(
      'trustFromTrustList',
      () => [new Uint8Array(4), { governanceKeys: [jwk] }],
      client.trustFromTrustList,
    ),
    entry('trustFromStore', () => [{}, {}], client.trustFromStore),
    entry('verifyTrail', () => [status(), noTrust], client.verifyTrail),
    entry('errorFromBody', () => [500, { error: {} }, 1], client.errorFromBody),
    entry('errorFromResponse', () => [new Response('', { status: 500 })], client.errorFromResponse),
    entry('isRetryable', () => [new BaridError('ERR_UNAVAILABLE', 'x')], client.isRetryable),
    entry('retryDelay', () => [1, client.DEFAULT_RETRY_POLICY, Math.random, 2], client.retryDelay),
  )
}, 30_000)

/** An entry point called with its arguments spread. */
function entry(name: string, args: () => unknown[], f: (...a: never[]) => unknown): Entry {
  return { name, args, call: (a) => f(...(a as never[])) }
}

/** Fails with the entry, argument and value when a call ends in anything but a BaridError. */
function expectTyped(e: Entry, where: string, value: unknown, err: unknown) {
  if (err === undefined || err instanceof BaridError) return
  let shown: string
  try {
    shown = JSON.stringify(value) ?? typeof value
  } catch {
    shown = typeof value
  }
  expect.fail(`${e.name} with ${where} = ${shown} ended with ${String(err)}`)
}

describe('the public entry points', () => {
  it('fail with a BaridError, never a TypeError or a hang, for junk as any argument', async () => {
    for (const e of entries) {
      const arity = e.args().length
      await fc.assert(
        fc.asyncProperty(fc.nat(arity - 1), junk, async (i, value) => {
          const args = e.args()
          args[i] = value
          expectTyped(e, `argument ${i}`, value, await outcome(() => e.call(args)))
        }),
        { numRuns: 40 },
      )
    }
  }, 300_000)

  it('fail with a BaridError for junk in place of any property of an object argument', async () => {
    for (const e of entries) {
      const objects = e
        .args()
        .flatMap((a, i) =>
          typeof a === 'object' && a !== null && !Array.isArray(a) && !(a instanceof Uint8Array)
            ? Object.keys(a).map((k) => [i, k] as const)
            : [],
        )
      if (objects.length === 0) continue
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...objects), junk, async ([i, key], value) => {
          const args = e.args()
          args[i] = { ...(args[i] as object), [key]: value }
          expectTyped(e, `argument ${i}.${key}`, value, await outcome(() => e.call(args)))
        }),
        { numRuns: 40 },
      )
    }
  }, 300_000)

  it('name the wrong argument with ERR_INVALID_ARGUMENT in the cases found by QA', async () => {
    const senderWith = (o: object) =>
      client.createSenderClient({
        baseUrl: base,
        apiKey: 'barid_sk_test',
        signingKey: keys.signing,
        encryptionKey: keys.encryption,
        trust: noTrust,
        retry: { retries: 0 },
        ...o,
      } as never)
    const cases: [() => unknown, string][] = [
      [() => senderWith({ baseUrl: undefined }), 'options.baseUrl must be an absolute http(s) URL'],
      [() => senderWith({ signingKey: undefined }), 'options.signingKey must be a key pair'],
      [() => sender.lookup(undefined as never), 'query must be an identifier or address'],
      [() => sender.lookup(42 as never), 'query must be an identifier or address'],
      [
        () => sender.send({ ...sendInput(), expires: '2030-01-01' as never }),
        'input.expires must be a valid Date',
      ],
      [
        () => sender.send({ ...sendInput(), attachments: [null as never] }),
        'input.attachments[0] must be an object',
      ],
      [
        () => sender.send({ ...sendInput(), attachments: {} as never }),
        'input.attachments must be an array',
      ],
      [() => sender.submit(undefined as never), 'sealed must be a sealed letter'],
      [() => sender.sendBatch(undefined as never), 'inputs must be an array of at least 1 item'],
      [
        () => client.trustFromNode(base, { governanceKeys: ['nope' as never] }),
        'options.governanceKeys[0] must be a public JWK',
      ],
      [
        () => client.trustFromTrustList(new Uint8Array(4), { governanceKeys: ['nope' as never] }),
        'options.governanceKeys[0] must be a public JWK',
      ],
    ]
    for (const [run, message] of cases) {
      const err = await outcome(run)
      expect(err).toBeInstanceOf(BaridError)
      expect(err).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
      expect((err as BaridError).message).toContain(message)
    }
  })

  it('reject rather than throw when they return a promise', async () => {
    const run = () => sender.send(undefined as never)
    let thrown: unknown
    let promise: Promise<unknown> | undefined
    try {
      promise = run()
    } catch (e) {
      thrown = e
    }
    expect(thrown).toBeUndefined()
    await expect(promise).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
  })

  it('take key pairs from generateKeyPair as they are', async () => {
    const signing = await generateKeyPair('ES256')
    expect(() =>
      client.createSenderClient({
        baseUrl: base,
        apiKey: 'barid_sk_test',
        signingKey: signing,
        encryptionKey: keys.encryption,
      }),
    ).not.toThrow()
  })
})
