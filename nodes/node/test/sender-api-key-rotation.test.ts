/**
 * Rotating a sender organisation's API key (spec 12.1, 15.5) through the admin API of a real node
 * listening on loopback: the operator issues a new key, shown once; the previous keys end at once
 * (grace 0, a leaked key) or when a grace period the operator chose ends (a planned rotation),
 * then answer ERR_UNAUTHENTICATED; a sender holds at most three live keys; what is refused is
 * refused with a typed error and changes nothing; every issue and revocation is logged, never
 * the secret.
 */
import fc from 'fast-check'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../src/ops/logger.js'
import { clockControl } from '../src/test-control/clock.js'
import { startPair, type Pair } from './harness.js'

const CONTROL = { testControlSecret: 'api-key-rotation-test-control-secret-0123456789' }
const KEY_FORM = /^barid_sk_[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/
const DAY_S = 86_400

interface Answer {
  status: number
  body: Record<string, unknown> & { error?: { code: string; details?: Record<string, unknown> } }
}

/** A node of a new pair listening on loopback, with its clock under the test's control. */
async function realNode(): Promise<Pair> {
  return startPair({ listen: true, config: CONTROL })
}

/** A call to the Egyptian node's admin API with the token from its data directory. */
async function admin(pair: Pair, method: string, path: string, json?: unknown): Promise<Answer> {
  const node = pair.nodes.eg
  const token = (await readFile(join(node.config.dataDir, 'keys', 'admin-token'), 'utf8')).trim()
  const res = await fetch(`${node.url}/v1/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(json === undefined ? {} : { body: typeof json === 'string' ? json : JSON.stringify(json) }),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : {} }
}

/** What the sender API answers the key: 200, or the error code. */
async function senderApi(pair: Pair, apiKey: string): Promise<number | string> {
  const res = await fetch(`${pair.nodes.eg.url}/v1/sender/keys`, {
    headers: { authorization: `Bearer ${apiKey}` },
  })
  const body = (await res.json()) as { error?: { code: string } }
  return res.status === 200 ? 200 : (body.error?.code ?? res.status)
}

async function registerEta(pair: Pair): Promise<string> {
  const r = await admin(pair, 'POST', '/senders', {
    id: 'eta',
    name: 'Egyptian Tax Authority',
    address: 'tax',
  })
  expect(r.status).toBe(201)
  return r.body.apiKey as string
}

const rotate = (pair: Pair, graceSeconds: unknown, id = 'eta') =>
  admin(pair, 'POST', `/senders/${id}/api-keys`, { graceSeconds })

const liveKeys = async (pair: Pair) =>
  ((await admin(pair, 'GET', '/senders/eta/api-keys')).body.keys as { keyId: string }[]).map(
    (k) => k.keyId,
  )

const keyIdOf = (apiKey: string) => apiKey.slice('barid_sk_'.length, 'barid_sk_'.length + 16)

const advance = (pair: Pair, seconds: number) =>
  clockControl(pair.nodes.eg.services.now)!.advance(seconds * 1000)

describe('rotating a sender API key through the admin API', () => {
  it('revokes the previous key at once with no grace, and the new key works', async () => {
    await using pair = await realNode()
    const leaked = await registerEta(pair)
    expect(await senderApi(pair, leaked)).toBe(200)

    const r = await rotate(pair, 0)
    expect(r.status).toBe(201)
    const fresh = r.body.apiKey as string
    expect(fresh).toMatch(KEY_FORM)
    expect(r.body).toMatchObject({ sender: 'eta', keyId: keyIdOf(fresh) })
    expect(r.body.previous).toEqual([{ keyId: keyIdOf(leaked), expiresAt: expect.any(String) }])
    const ended = (r.body.previous as { expiresAt: string }[])[0]!.expiresAt
    expect(Date.parse(ended)).toBeLessThanOrEqual(pair.nodes.eg.services.now())
    expect(await senderApi(pair, leaked)).toBe('ERR_UNAUTHENTICATED')
    expect(await senderApi(pair, fresh)).toBe(200)
    expect(await liveKeys(pair)).toEqual([keyIdOf(fresh)])
  })

  it('keeps the previous key working until the grace period ends, then refuses it', async () => {
    await using pair = await realNode()
    const old = await registerEta(pair)
    const r = await rotate(pair, 7 * DAY_S)
    expect(r.status).toBe(201)
    const fresh = r.body.apiKey as string
    const ends = (r.body.previous as { expiresAt: string }[])[0]!.expiresAt
    expect(Date.parse(ends) - pair.nodes.eg.services.now()).toBeGreaterThan(7 * DAY_S * 1000 - 60_000)
    expect(await liveKeys(pair)).toEqual([keyIdOf(fresh), keyIdOf(old)])

    expect(await senderApi(pair, old)).toBe(200)
    expect(await senderApi(pair, fresh)).toBe(200)
    advance(pair, 7 * DAY_S - 60)
    expect(await senderApi(pair, old)).toBe(200)
    advance(pair, 61)
    expect(await senderApi(pair, old)).toBe('ERR_UNAUTHENTICATED')
    expect(await senderApi(pair, fresh)).toBe(200)
    expect(await liveKeys(pair)).toEqual([keyIdOf(fresh)])
  })

  it('tells the organisation on every sender API answer when the key it used stops working', async () => {
    await using pair = await realNode()
    const old = await registerEta(pair)
    const url = pair.nodes.eg.url
    const ask = (apiKey: string, path: string, init: RequestInit = {}) =>
      fetch(`${url}/v1/sender${path}`, {
        ...init,
        headers: { authorization: `Bearer ${apiKey}`, ...init.headers },
      })
    const answers = async (apiKey: string) =>
      Promise.all([
        ask(apiKey, '/keys'),
        ask(apiKey, '/inbox'),
        // Refusals after authentication carry it too: the organisation learns it either way.
        ask(apiKey, '/letters/01a2233d-2a56-7572-91f7-ed2e2a5e9634'),
        ask(apiKey, '/letters', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"letter": 1}',
        }),
      ])
    const expiresOf = async (apiKey: string) =>
      (await answers(apiKey)).map((r) => [r.status, r.headers.get('api-key-expires')])

    // A key with no end set says nothing.
    expect(await expiresOf(old)).toEqual([
      [200, null],
      [200, null],
      [404, null],
      [400, null],
    ])
    const r = await rotate(pair, 7 * DAY_S)
    const fresh = r.body.apiKey as string
    const ends = (r.body.previous as { expiresAt: string }[])[0]!.expiresAt
    expect(ends).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(await expiresOf(old)).toEqual([
      [200, ends],
      [200, ends],
      [404, ends],
      [400, ends],
    ])
    expect((await expiresOf(fresh)).map(([, h]) => h)).toEqual([null, null, null, null])

    // Revoked early, or past its end: refused as any unknown key, with nothing about the key.
    await admin(pair, 'DELETE', `/senders/eta/api-keys/${keyIdOf(old)}`)
    const refused = await ask(old, '/keys')
    expect(refused.status).toBe(401)
    expect(refused.headers.get('api-key-expires')).toBeNull()
  })

  it('holds at most three live keys, and a rotation with no grace is always possible', async () => {
    await using pair = await realNode()
    const first = await registerEta(pair)
    const second = (await rotate(pair, DAY_S)).body.apiKey as string
    const third = (await rotate(pair, DAY_S)).body.apiKey as string
    const refused = await rotate(pair, DAY_S)
    expect(refused.status).toBe(413)
    expect(refused.body.error).toMatchObject({ code: 'ERR_INPUT_TOO_LARGE', details: { limit: 3 } })
    for (const k of [first, second, third]) expect(await senderApi(pair, k)).toBe(200)
    expect(await liveKeys(pair)).toHaveLength(3)

    // A key ended by hand makes room; a leak is answered whatever the count.
    const revoked = await admin(pair, 'DELETE', `/senders/eta/api-keys/${keyIdOf(first)}`)
    expect(revoked.status).toBe(200)
    expect(await senderApi(pair, first)).toBe('ERR_UNAUTHENTICATED')
    const fourth = (await rotate(pair, DAY_S)).body.apiKey as string
    expect(await liveKeys(pair)).toHaveLength(3)
    const fifth = await rotate(pair, 0)
    expect(fifth.status).toBe(201)
    for (const k of [second, third, fourth]) expect(await senderApi(pair, k)).toBe('ERR_UNAUTHENTICATED')
    expect(await senderApi(pair, fifth.body.apiKey as string)).toBe(200)
    expect(await liveKeys(pair)).toEqual([keyIdOf(fifth.body.apiKey as string)])
  })

  it('never leaves a sender more than three live keys, however many rotations run at once', async () => {
    await using pair = await realNode()
    await registerEta(pair)
    const answers = await Promise.all(Array.from({ length: 6 }, () => rotate(pair, DAY_S)))
    expect(answers.filter((a) => a.status === 201)).toHaveLength(2)
    expect(answers.filter((a) => a.body.error?.code === 'ERR_INPUT_TOO_LARGE')).toHaveLength(4)
    expect(await liveKeys(pair)).toHaveLength(3)
  })

  it('logs every key issued and revoked by its id, never the key itself', async () => {
    await using pair = await realNode()
    const lines: string[] = []
    pair.nodes.eg.services.log = createLogger({ level: 'info', write: (l) => lines.push(l) })
    const first = await registerEta(pair)
    const second = (await rotate(pair, DAY_S)).body.apiKey as string
    await admin(pair, 'DELETE', `/senders/eta/api-keys/${keyIdOf(second)}`)
    const third = (await rotate(pair, 0)).body.apiKey as string
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    const about = (msg: string) =>
      logged.filter((l) => l.msg === msg).map((l) => [l.sender, l.keyId])
    expect(about('sender api key issued')).toEqual([
      ['eta', keyIdOf(first)],
      ['eta', keyIdOf(second)],
      ['eta', keyIdOf(third)],
    ])
    expect(about('sender api key revoked')).toEqual([
      ['eta', keyIdOf(second)],
      ['eta', keyIdOf(first)],
    ])
    const text = lines.join('\n')
    for (const k of [first, second, third]) expect(text).not.toContain(k.split('.')[1])
  })

  it('refuses hostile rotations with a typed error and leaves the keys as they were', async () => {
    await using pair = await realNode()
    const key = await registerEta(pair)
    const before = await liveKeys(pair)
    const notAWholeSecondCount = fc.oneof(
      fc.integer({ max: -1 }),
      fc.integer({ min: 30 * DAY_S + 1 }),
      fc.double({ noInteger: true }),
      fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, 1e300, -0.5),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.nat()),
      fc.dictionary(fc.string(), fc.nat()),
    )
    await fc.assert(
      fc.asyncProperty(notAWholeSecondCount, async (grace) => {
        const r = await rotate(pair, grace)
        expect(r.status).toBe(400)
        expect(r.body.error?.code).toBe('ERR_INVALID_ARGUMENT')
      }),
      { numRuns: 60 },
    )
    for (const body of ['', '{', '[]', '"x"', '{}', JSON.stringify({ graceSeconds: '0' })]) {
      const r = await admin(pair, 'POST', '/senders/eta/api-keys', body)
      expect(r.status, body).toBe(400)
      expect(r.body.error?.code).toBe('ERR_INVALID_ARGUMENT')
    }
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 80 }).filter((s) => s !== 'eta'),
        async (id) => {
          const path = `/senders/${encodeURIComponent(id)}/api-keys`
          const r = await admin(pair, 'POST', path, { graceSeconds: 0 })
          expect(r.status).toBe(404)
          expect(r.body.error?.code).toBe('ERR_NOT_FOUND')
          const d = await admin(pair, 'DELETE', `${path}/${keyIdOf(key)}`)
          expect(d.body.error?.code).toBe('ERR_NOT_FOUND')
        },
      ),
      { numRuns: 40 },
    )
    // Another key id, or one of another sender: not found, nothing revoked.
    for (const keyId of ['AAAAAAAAAAAAAAAA', 'x', keyIdOf(key).toLowerCase() + '%00']) {
      const d = await admin(pair, 'DELETE', `/senders/eta/api-keys/${keyId}`)
      expect(d.status).toBe(404)
      expect(d.body.error?.code).toBe('ERR_NOT_FOUND')
    }
    const anonymous = await fetch(`${pair.nodes.eg.url}/v1/admin/senders/eta/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ graceSeconds: 0 }),
    })
    expect(anonymous.status).toBe(401)
    expect(await liveKeys(pair)).toEqual(before)
    expect(await senderApi(pair, key)).toBe(200)
  })
})
