import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { LetterEvent } from '../types.js'
import { subscribe } from './subscribe.js'
import type { WebSocketFactory, WebSocketLike } from './websocket.js'

type Listener = (event: { data?: unknown; code?: number }) => void

/** An in-memory stand-in for the node's push endpoint, holding a mailbox of cursors. */
class FakeSocket implements WebSocketLike {
  readyState = 0
  readonly sent: unknown[] = []
  readonly #listeners = new Map<string, Listener[]>()
  constructor(readonly server: FakeServer) {
    queueMicrotask(() => {
      this.readyState = 1
      this.emit('open', {})
    })
  }
  addEventListener(type: string, l: Listener) {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), l])
  }
  emit(type: string, e: { data?: unknown; code?: number }) {
    for (const l of this.#listeners.get(type) ?? []) l(e)
  }
  send(data: string) {
    this.sent.push(JSON.parse(data))
    this.server.onAuth(this, JSON.parse(data) as { token: string; after: number })
  }
  close(code = 1000) {
    if (this.readyState === 3) return
    this.readyState = 3
    queueMicrotask(() => this.emit('close', { code }))
  }
  push(msg: unknown) {
    if (this.readyState === 1) this.emit('message', { data: JSON.stringify(msg) })
  }
}

class FakeServer {
  cursors: number[] = []
  sockets: FakeSocket[] = []
  auths: { token: string; after: number }[] = []
  refuseTokens = new Set<string>()
  factory: WebSocketFactory = () => {
    const s = new FakeSocket(this)
    this.sockets.push(s)
    return s
  }
  event(cursor: number): LetterEvent {
    return {
      type: 'letter',
      cursor,
      letterId: `l-${cursor}`,
      sender: 'tax@post.eg',
      senderName: 'Egyptian Tax Authority',
      kind: 'letter',
      receivedAt: '2026-03-01T09:30:00.000Z',
    }
  }
  onAuth(s: FakeSocket, m: { token: string; after: number }) {
    this.auths.push(m)
    if (this.refuseTokens.has(m.token)) {
      s.push({ type: 'error', error: { code: 'ERR_UNAUTHENTICATED', message: 'push refused' } })
      s.close(4401)
      return
    }
    // The backlog, then ready: what spec 13.6 says the node sends.
    for (const c of this.cursors.filter((c) => c > m.after)) s.push(this.event(c))
    s.push({ type: 'ready', cursor: Math.max(m.after, ...this.cursors) })
  }
  deliver(cursor: number) {
    this.cursors.push(cursor)
    for (const s of this.sockets) s.push(this.event(cursor))
  }
  dropAll() {
    for (const s of this.sockets) s.close(1006)
  }
}

const until = async (check: () => boolean, ms = 2000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 2))
  }
}

describe('subscribe', () => {
  it('delivers the backlog after the cursor, then live letters, each once and in order', async () => {
    const server = new FakeServer()
    server.cursors = [1, 2, 3]
    const seen: number[] = []
    const sub = subscribe(
      { baseUrl: 'http://node.test', token: async () => 't' },
      (e) => void seen.push(e.cursor),
      { after: 1, webSocket: server.factory },
    )
    expect(await sub.ready).toBe(3)
    server.deliver(4)
    // A live event the node repeats (backlog and live overlap) is not handled twice.
    server.sockets[0]!.push(server.event(4))
    await until(() => sub.cursor === 4)
    expect(seen).toEqual([2, 3, 4])
    expect(server.auths[0]).toEqual({ type: 'auth', token: 't', after: 1 })
    sub.close()
    await sub.closed
  })

  it('passes on the sender name the node pushes, and null from a node that sends none', async () => {
    const server = new FakeServer()
    const seen: LetterEvent[] = []
    const sub = subscribe(
      { baseUrl: 'http://node.test', token: async () => 't' },
      (e) => void seen.push(e),
      { webSocket: server.factory },
    )
    await sub.ready
    server.deliver(1)
    const { senderName: _, ...older } = server.event(2)
    server.sockets[0]!.push(older)
    server.sockets[0]!.push({ ...server.event(3), senderName: 42 })
    await until(() => sub.cursor === 3)
    expect(seen.map((e) => e.senderName)).toEqual(['Egyptian Tax Authority', null, null])
    expect(seen[0]).toEqual(server.event(1))
    sub.close()
    await sub.closed
  })

  it('reconnects after a lost connection and resumes after the last handled cursor, missing nothing', async () => {
    const server = new FakeServer()
    const seen: number[] = []
    const sub = subscribe(
      { baseUrl: 'http://node.test', token: async () => 't' },
      (e) => void seen.push(e.cursor),
      {
        webSocket: server.factory,
        reconnect: { baseDelayMs: 1, maxDelayMs: 5 },
      },
    )
    await sub.ready
    server.deliver(1)
    await until(() => seen.length === 1)
    server.dropAll()
    // Letters that arrive while the client is away come with the backlog of the next connection.
    server.cursors.push(2, 3)
    await until(() => seen.length === 3)
    server.deliver(4)
    await until(() => seen.length === 4)
    expect(seen).toEqual([1, 2, 3, 4])
    expect(server.auths.map((a) => a.after)).toEqual([0, 1])
    await sub[Symbol.asyncDispose]()
  })

  it('asks for a fresh token after a 4401 and ends when the fresh one is refused too', async () => {
    const server = new FakeServer()
    server.refuseTokens = new Set(['old', 'older'])
    const tokens = ['old', 'older']
    let closedWith: unknown
    const sub = subscribe(
      { baseUrl: 'http://node.test', token: async () => tokens.shift() ?? 'none' },
      () => undefined,
      {
        webSocket: server.factory,
        reconnect: { baseDelayMs: 1, maxDelayMs: 2 },
        onClose: (e) => (closedWith = e),
      },
    )
    await expect(sub.ready).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' })
    await sub.closed
    expect(server.auths.map((a) => a.token)).toEqual(['old', 'older'])
    expect(closedWith).toMatchObject({ code: 'ERR_UNAUTHENTICATED' })
  })

  it('keeps delivering when the apps own onReady and onError callbacks throw', async () => {
    const server = new FakeServer()
    server.cursors = [1]
    const seen: number[] = []
    let failed = false
    const told: string[] = []
    const sub = subscribe(
      { baseUrl: 'http://node.test', token: async () => 't' },
      (e) => {
        if (e.cursor === 2 && !failed) {
          failed = true
          throw new Error('handler failed once')
        }
        seen.push(e.cursor)
      },
      {
        webSocket: server.factory,
        reconnect: { baseDelayMs: 1, maxDelayMs: 5 },
        onReady: () => {
          told.push('ready')
          throw new Error('onReady failed')
        },
        onError: () => {
          told.push('error')
          throw new Error('onError failed')
        },
      },
    )
    expect(await sub.ready).toBe(1)
    server.deliver(2)
    server.deliver(3)
    await until(() => sub.cursor === 3)
    server.dropAll()
    server.deliver(4)
    await until(() => sub.cursor === 4)
    expect(seen).toEqual([1, 2, 3, 4])
    expect(told.filter((t) => t === 'error').length).toBeGreaterThanOrEqual(2)
    expect(told.filter((t) => t === 'ready').length).toBeGreaterThanOrEqual(2)
    sub.close()
    await sub.closed
  })

  it('hands an event whose handler threw to the handler again, resuming from the last handled cursor', async () => {
    const server = new FakeServer()
    server.cursors = [1, 2, 3]
    const handled: number[] = []
    const throws = new Map([[2, 2]]) // cursor 2 fails twice, then succeeds
    const cursorAtError: number[] = []
    let sub: ReturnType<typeof subscribe> | undefined
    sub = subscribe(
      { baseUrl: 'http://node.test', token: async () => 't' },
      async (e) => {
        const left = throws.get(e.cursor) ?? 0
        if (left > 0) {
          throws.set(e.cursor, left - 1)
          throw new Error('handler failed')
        }
        handled.push(e.cursor)
      },
      {
        webSocket: server.factory,
        reconnect: { baseDelayMs: 1, maxDelayMs: 4 },
        onError: () => cursorAtError.push(sub!.cursor),
      },
    )
    // Ready only once the handler has caught up with the backlog, including the failed event.
    expect(await sub.ready).toBe(3)
    expect(handled).toEqual([1, 2, 3])
    // The cursor stayed on the last handled event while 2 failed: a restart resumes before it.
    expect(cursorAtError).toEqual([1, 1])
    expect(server.auths.map((a) => a.after)).toEqual([0, 1, 1])
    await sub[Symbol.asyncDispose]()
  })

  it('waits longer after each consecutive handler failure, up to the maximum delay', async () => {
    const server = new FakeServer()
    server.cursors = [1]
    const at: number[] = []
    const sub = subscribe(
      { baseUrl: 'http://node.test', token: async () => 't' },
      () => {
        throw new Error('handler failed')
      },
      {
        webSocket: server.factory,
        // Zero jitter is the case where a plain full-jitter backoff would retry at once.
        random: () => 0,
        reconnect: { baseDelayMs: 20, maxDelayMs: 80 },
        onError: () => at.push(Date.now()),
      },
    )
    await until(() => at.length === 6, 5000)
    sub.close()
    await sub.closed
    const gaps = at.slice(1).map((t, i) => t - at[i]!)
    // At least half of 20, 40, 80, 80, 80 ms (timers may fire a millisecond early).
    const least = [10, 20, 40, 40, 40]
    expect(gaps.map((g, i) => g >= least[i]! - 2)).toEqual(least.map(() => true))
    expect(Math.max(...gaps)).toBeLessThan(1000)
  })

  it('ends cleanly when closed while it waits to hand a failed event again', async () => {
    const server = new FakeServer()
    server.cursors = [1]
    let errors = 0
    let closedWith: unknown = 'not closed'
    const sub = subscribe(
      { baseUrl: 'http://node.test', token: async () => 't' },
      () => Promise.reject(new Error('handler failed')),
      {
        webSocket: server.factory,
        reconnect: { baseDelayMs: 50, maxDelayMs: 50 },
        onError: () => errors++,
        onClose: (e) => (closedWith = e),
      },
    )
    await until(() => errors === 1)
    await until(() => server.sockets.every((s) => s.readyState === 3))
    sub.close()
    await sub.closed
    await expect(sub.ready).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' })
    await new Promise((r) => setTimeout(r, 120))
    expect(server.sockets).toHaveLength(1)
    expect(errors).toBe(1)
    expect(closedWith).toBeUndefined()
    expect(sub.cursor).toBe(0)
  })

  it('for any pattern of handler failures and lost connections, handles every event once successfully and in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.record({ throws: fc.nat(3), async: fc.boolean(), drop: fc.boolean() }), {
          minLength: 1,
          maxLength: 8,
        }),
        async (inBacklog, plan) => {
          const server = new FakeServer()
          const backlog = Math.min(inBacklog, plan.length)
          server.cursors = plan.slice(0, backlog).map((_, i) => i + 1)
          const left = plan.map((p) => p.throws)
          const handled: number[] = []
          const calls: { cursor: number; subCursor: number }[] = []
          let errors = 0
          let sub: ReturnType<typeof subscribe> | undefined
          sub = subscribe(
            { baseUrl: 'http://node.test', token: async () => 't' },
            async (e) => {
              calls.push({ cursor: e.cursor, subCursor: sub!.cursor })
              const i = e.cursor - 1
              if (left[i]! > 0) {
                left[i]!--
                if (plan[i]!.async) await Promise.resolve()
                throw new Error(`handler failed at ${e.cursor}`)
              }
              handled.push(e.cursor)
              // A lost connection right after a success must not lose or repeat anything.
              if (plan[i]!.drop) server.dropAll()
            },
            {
              webSocket: server.factory,
              reconnect: { baseDelayMs: 1, maxDelayMs: 2 },
              onError: (err) => {
                if (err instanceof Error && err.message.startsWith('handler')) errors++
              },
            },
          )
          for (let c = backlog + 1; c <= plan.length; c++) server.deliver(c)
          await until(() => handled.length === plan.length, 3000)
          await sub.ready
          sub.close()
          await sub.closed
          const all = plan.map((_, i) => i + 1)
          expect(handled).toEqual(all)
          expect(sub.cursor).toBe(plan.length)
          expect(errors).toBe(plan.reduce((n, p) => n + p.throws, 0))
          // Whenever the handler was called, every earlier event was handled and no later one.
          for (const c of calls) expect(c.subCursor).toBe(c.cursor - 1)
        },
      ),
      { numRuns: 60 },
    )
  }, 60_000)
})
