import { describe, expect, it } from 'vitest'
import { createTransport, type FetchLike } from './transport.js'

/** A scripted stand-in for a node: answers from a list, records what it was sent. */
function scriptedNode(answers: (() => Response | Promise<Response>)[]) {
  const seen: { url: string; init: RequestInit }[] = []
  const f: FetchLike = async (url, init = {}) => {
    seen.push({ url, init })
    const next = answers.shift()
    if (!next) throw new Error('script exhausted')
    return next()
  }
  return { f, seen }
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    })
const unavailable = json(503, { error: { code: 'ERR_UNAVAILABLE', message: 'draining' } })
const noSleep = async () => undefined

describe('transport', () => {
  it('retries a repeatable submission after 503 with the same Idempotency-Key and body', async () => {
    const node = scriptedNode([unavailable, unavailable, json(202, { letterId: 'x' })])
    const t = createTransport({
      baseUrl: 'http://node.test/',
      authorization: () => 'Bearer k',
      fetch: node.f,
      sleep: noSleep,
    })
    const r = await t.json<{ letterId: string }>({
      method: 'POST',
      path: '/v1/sender/letters',
      json: { letter: 'AA' },
      headers: { 'idempotency-key': 'k-1' },
      repeatable: true,
    })
    expect(r.data.letterId).toBe('x')
    expect(node.seen).toHaveLength(3)
    for (const s of node.seen) {
      expect(s.url).toBe('http://node.test/v1/sender/letters')
      expect((s.init.headers as Record<string, string>)['idempotency-key']).toBe('k-1')
      expect((s.init.headers as Record<string, string>).authorization).toBe('Bearer k')
      expect(s.init.body).toBe('{"letter":"AA"}')
    }
  })

  it('does not repeat a request that is not repeatable', async () => {
    const node = scriptedNode([unavailable, json(202, {})])
    const t = createTransport({ baseUrl: 'http://node.test', fetch: node.f, sleep: noSleep })
    await expect(
      t.json({ method: 'POST', path: '/x', json: {}, repeatable: false }),
    ).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
    expect(node.seen).toHaveLength(1)
  })

  it("gives up after the policy's retries with the last error", async () => {
    const node = scriptedNode([unavailable, unavailable, unavailable])
    const t = createTransport({
      baseUrl: 'http://node.test',
      fetch: node.f,
      sleep: noSleep,
      retry: { retries: 2 },
    })
    await expect(t.send({ method: 'GET', path: '/x', repeatable: true })).rejects.toMatchObject({
      code: 'ERR_UNAVAILABLE',
    })
    expect(node.seen).toHaveLength(3)
  })

  it('does not retry a refusal such as ERR_IDEMPOTENCY_CONFLICT', async () => {
    const node = scriptedNode([
      json(409, { error: { code: 'ERR_IDEMPOTENCY_CONFLICT', message: 'other body' } }),
    ])
    const t = createTransport({ baseUrl: 'http://node.test', fetch: node.f, sleep: noSleep })
    await expect(t.send({ method: 'POST', path: '/x', repeatable: true })).rejects.toMatchObject({
      code: 'ERR_IDEMPOTENCY_CONFLICT',
    })
    expect(node.seen).toHaveLength(1)
  })

  it('waits what Retry-After asks before retrying a rate-limited request', async () => {
    const waits: number[] = []
    const node = scriptedNode([
      json(429, { error: { code: 'ERR_RATE_LIMITED', message: 'slow' } }, { 'retry-after': '2' }),
      json(200, { ok: true }),
    ])
    const t = createTransport({
      baseUrl: 'http://node.test',
      fetch: node.f,
      sleep: async (ms) => void waits.push(ms),
    })
    await t.json({ method: 'GET', path: '/v1/sender/directory', repeatable: true })
    expect(waits).toHaveLength(1)
    expect(waits[0]).toBeGreaterThanOrEqual(2000)
  })

  it('turns a request that gets no answer in time into ERR_UNAVAILABLE with reason timeout, naming the node', async () => {
    const hang: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () =>
          reject(new DOMException('aborted', 'AbortError')),
        ),
      )
    const t = createTransport({
      baseUrl: 'http://node.test',
      fetch: hang,
      timeoutMs: 20,
      retry: { retries: 0 },
    })
    await expect(t.send({ method: 'GET', path: '/x', repeatable: true })).rejects.toMatchObject({
      code: 'ERR_UNAVAILABLE',
      message: 'the node http://node.test did not answer in time',
      details: { reason: 'timeout' },
    })
  })

  it('turns a connection failure into ERR_UNAVAILABLE with reason network, naming the node', async () => {
    const refused: FetchLike = async () => {
      throw new TypeError('fetch failed')
    }
    const t = createTransport({
      baseUrl: 'http://node.test',
      fetch: refused,
      retry: { retries: 0 },
    })
    await expect(t.send({ method: 'GET', path: '/x', repeatable: true })).rejects.toMatchObject({
      code: 'ERR_UNAVAILABLE',
      message: 'the node http://node.test could not be reached',
      details: { reason: 'network' },
    })
  })

  it('refuses a base URL with a query or another scheme', () => {
    expect(() => createTransport({ baseUrl: 'ftp://node.test' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    expect(() => createTransport({ baseUrl: 'http://node.test/?a=1' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })

  it('asks for a fresh body on each attempt', async () => {
    let made = 0
    const node = scriptedNode([unavailable, json(201, {})])
    const t = createTransport({ baseUrl: 'http://node.test', fetch: node.f, sleep: noSleep })
    await t.send({ method: 'PUT', path: '/a', body: () => `body-${++made}`, repeatable: true })
    expect(node.seen.map((s) => s.init.body)).toEqual(['body-1', 'body-2'])
  })
})
