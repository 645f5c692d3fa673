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

  it('keeps going when the handler throws, and reports it', async () => {
    const server = new FakeServer()
    server.cursors = [1, 2]
    const errors: unknown[] = []
    const sub = subscribe(
      { baseUrl: 'http://node.test', token: async () => 't' },
      (e) => {
        if (e.cursor === 1) throw new Error('handler failed')
      },
      { webSocket: server.factory, onError: (e) => errors.push(e) },
    )
    expect(await sub.ready).toBe(2)
    expect(errors).toHaveLength(1)
    sub.close()
    await sub.closed
  })
})
