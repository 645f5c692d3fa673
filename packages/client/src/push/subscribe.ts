/**
 * @module push/subscribe
 * Push of new letters over the citizen WebSocket (spec 13.6), with reconnect and resume. The
 * mailbox is the event log: the subscription remembers the cursor of the last event its
 * handler finished, authenticates every connection with `{"type": "auth", token, after}`, and
 * so receives, after any disconnect or node restart, every letter it has not handled, in
 * cursor order. Events are handed to the handler one at a time. Delivery is at least once: an
 * event whose handler threw (or rejected) is not counted as handled; the subscription drops
 * the connection and resumes from the last handled cursor after a backoff, so the handler sees
 * that event again, and never a later one first.
 */
import { check } from '../args/check.js'
import * as shape from '../args/shapes.js'
import { BaridError, isBaridErrorCode, type PushAuthMessage } from '../core.js'
import type { LetterEvent } from '../types.js'
import { defaultWebSocketFactory, type WebSocketFactory, type WebSocketLike } from './websocket.js'

export const EVENTS_PATH = '/v1/citizen/events'

/** Options of {@link subscribe}. */
export interface SubscribeOptions {
  /** The last cursor already handled: events after it are delivered. Default 0 (all). */
  after?: number
  /** Called each time a connection has caught up with the mailbox (after its backlog). */
  onReady?: (cursor: number) => void
  /**
   * Called with the error each time the handler throws or rejects (the event is handed to it
   * again after a backoff), and for each lost connection (the subscription goes on).
   */
  onError?: (err: unknown) => void
  /** Called once when the subscription ends: `err` is set when it ended on a refusal. */
  onClose?: (err?: BaridError) => void
  /**
   * Reconnect backoff, doubling from `baseDelayMs` to `maxDelayMs`: full jitter after a lost
   * connection; after consecutive handler failures at least half the delay, so a handler that
   * keeps failing is retried at a bounded rate.
   */
  reconnect?: { baseDelayMs?: number; maxDelayMs?: number }
  /**
   * Reconnect when nothing (message or ping) arrives for this long. The node pings every 30 s;
   * default 75 s where pings are visible (the `ws` package), off elsewhere (browsers hide
   * pings, so a quiet mailbox would look idle).
   */
  idleTimeoutMs?: number
  webSocket?: WebSocketFactory
  random?: () => number
}

/** A live subscription. */
export interface Subscription {
  /** Cursor of the last event the handler finished without throwing: where to resume. */
  readonly cursor: number
  /** Resolves with the cursor when the handler has first caught up with the mailbox. */
  readonly ready: Promise<number>
  /** Resolves when the subscription has ended (after `close()` or a refusal). */
  readonly closed: Promise<void>
  close(): void
  [Symbol.asyncDispose](): Promise<void>
}

/** Where and as whom to subscribe. */
export interface SubscribeTarget {
  baseUrl: string
  token: () => Promise<string>
}

function parseEvent(raw: unknown): { type: string; value: Record<string, unknown> } | undefined {
  let text: string
  if (typeof raw === 'string') text = raw
  else if (raw instanceof ArrayBuffer || ArrayBuffer.isView(raw))
    text = new TextDecoder().decode(raw as ArrayBuffer)
  else return undefined
  if (text.length > 64 * 1024) return undefined
  try {
    const v = JSON.parse(text) as unknown
    if (typeof v !== 'object' || v === null || typeof (v as { type?: unknown }).type !== 'string')
      return undefined
    return { type: (v as { type: string }).type, value: v as Record<string, unknown> }
  } catch {
    return undefined
  }
}

function asLetterEvent(v: Record<string, unknown>): LetterEvent | undefined {
  const ok =
    Number.isSafeInteger(v.cursor) &&
    (v.cursor as number) > 0 &&
    typeof v.letterId === 'string' &&
    typeof v.sender === 'string' &&
    (v.kind === 'letter' || v.kind === 'registered') &&
    typeof v.receivedAt === 'string'
  return ok
    ? {
        type: 'letter',
        cursor: v.cursor as number,
        letterId: v.letterId as string,
        sender: v.sender as string,
        // Display only: a node from before the field (or one sending something else) gives
        // none, and the letter is still worth telling the app about.
        senderName: typeof v.senderName === 'string' ? v.senderName : null,
        kind: v.kind as LetterEvent['kind'],
        receivedAt: v.receivedAt as string,
      }
    : undefined
}

/**
 * Subscribes to new letters in the caller's mailbox. The handler may see an event again (after
 * it threw, see {@link SubscribeOptions.onError}), so it should be idempotent, e.g. keyed by
 * `letterId`.
 *
 * @example
 * ```ts
 * const sub = subscribe({ baseUrl, token }, async (e) => console.log('new letter', e.letterId), { after: savedCursor })
 * await sub.ready
 * // … later: save sub.cursor, then
 * sub.close()
 * ```
 */
export function subscribe(
  target: SubscribeTarget,
  onEvent: (e: LetterEvent) => void | Promise<void>,
  o: SubscribeOptions = {},
): Subscription {
  check(target, shape.subscribeTarget, 'target')
  check(onEvent, shape.fn, 'onEvent')
  check(o, shape.subscribeOptions, 'options')
  const url = `${target.baseUrl.replace(/\/+$/, '').replace(/^http/, 'ws')}${EVENTS_PATH}`
  const random = o.random ?? Math.random
  const baseDelay = o.reconnect?.baseDelayMs ?? 500
  const maxDelay = o.reconnect?.maxDelayMs ?? 30_000
  const factory = o.webSocket ? Promise.resolve(o.webSocket) : defaultWebSocketFactory()
  let cursor = o.after ?? 0
  if (!Number.isSafeInteger(cursor) || cursor < 0)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'after must be a cursor (a non-negative integer)')
  let stopped = false
  let attempt = 0
  // Consecutive handler failures: the retry delay grows with them, not with lost connections.
  let failures = 0
  let authRefusals = 0
  let current: WebSocketLike | undefined
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let isReady = false
  let readyResolve!: (c: number) => void
  let readyReject!: (e: unknown) => void
  const ready = new Promise<number>((res, rej) => ((readyResolve = res), (readyReject = rej)))
  ready.catch(() => undefined)
  let closedResolve!: () => void
  const closed = new Promise<void>((res) => (closedResolve = res))

  // The app's callbacks are told, not relied on: one that throws must not stop the subscription
  // (its queue of events would stall, and the rejection would go unhandled).
  const tell = <A extends unknown[]>(f: ((...a: A) => void) | undefined, ...a: A) => {
    try {
      f?.(...a)
    } catch {
      // The app's own failure: nothing here depends on it.
    }
  }

  let finished = false
  const finish = (err?: BaridError) => {
    if (finished) return
    finished = true
    stopped = true
    if (retryTimer !== undefined) clearTimeout(retryTimer)
    if (!isReady)
      readyReject(
        err ?? new BaridError('ERR_UNAVAILABLE', 'the subscription was closed before it was ready'),
      )
    tell(o.onClose, err)
    closedResolve()
  }

  const delay = (n: number) => Math.min(maxDelay, baseDelay * 2 ** Math.min(n, 20))
  const reconnectAfter = (ms: number) => {
    retryTimer = setTimeout(() => void connect(), Math.max(1, ms))
  }
  const scheduleReconnect = () => reconnectAfter(Math.floor(random() * delay(attempt++)))
  // A failing handler is local: with full jitter it could be retried at once, over and over.
  const scheduleRetry = () => {
    const d = delay(failures - 1)
    reconnectAfter(Math.ceil(d / 2 + (random() * d) / 2))
  }

  async function connect(): Promise<void> {
    retryTimer = undefined
    if (stopped) return
    let ws: WebSocketLike
    let token: string
    try {
      const open = await factory
      token = await target.token()
      if (stopped) return
      ws = open(url)
    } catch (e) {
      tell(o.onError, e)
      scheduleReconnect()
      return
    }
    current = ws
    let chain = Promise.resolve()
    let refusal: BaridError | undefined
    // Set when the handler failed: what follows on this connection is left to the resume.
    let handlerFailed = false
    let idle: ReturnType<typeof setTimeout> | undefined
    const nodeStyle = ws as unknown as { on?: (ev: string, f: () => void) => void }
    const idleMs = o.idleTimeoutMs ?? (typeof nodeStyle.on === 'function' ? 75_000 : 0)
    const touch = () => {
      if (idleMs <= 0) return
      if (idle !== undefined) clearTimeout(idle)
      idle = setTimeout(() => ws.close(4000, 'idle'), idleMs)
    }
    if (typeof nodeStyle.on === 'function') nodeStyle.on('ping', touch)
    ws.addEventListener('open', () => {
      touch()
      ws.send(JSON.stringify({ type: 'auth', token, after: cursor } satisfies PushAuthMessage))
    })
    ws.addEventListener('message', (ev) => {
      touch()
      const m = parseEvent(ev.data)
      if (!m) return
      if (m.type === 'letter') {
        const e = asLetterEvent(m.value)
        if (!e) return
        chain = chain.then(async () => {
          if (handlerFailed) return
          if (e.cursor <= cursor) return // already handled (backlog and live overlap, or a resume)
          try {
            await onEvent(e)
          } catch (err) {
            // The cursor stays before this event: the resume hands it to the handler again.
            handlerFailed = true
            failures++
            ws.close(1000, 'the handler failed; resuming')
            tell(o.onError, err)
            return
          }
          failures = 0
          cursor = e.cursor
        })
      } else if (m.type === 'ready') {
        chain = chain.then(() => {
          if (handlerFailed) return // not caught up: the failed event comes again
          attempt = 0
          authRefusals = 0
          if (!isReady) {
            isReady = true
            readyResolve(cursor)
          }
          tell(o.onReady, cursor)
        })
      } else if (m.type === 'error') {
        const err = (m.value.error ?? {}) as { code?: unknown }
        refusal = isBaridErrorCode(err.code)
          ? new BaridError(err.code, 'the node refused the push connection')
          : new BaridError('ERR_INTERNAL', 'the node refused the push connection', {
              details: { code: String(err.code).slice(0, 100) },
            })
      }
    })
    ws.addEventListener('error', () => {
      // A 'close' event always follows; reconnecting is decided there.
    })
    ws.addEventListener('close', (ev) => {
      if (idle !== undefined) clearTimeout(idle)
      current = undefined
      // Let the handler finish what arrived, so the resume cursor is exact.
      void chain.then(() => {
        if (stopped) return finish()
        if (handlerFailed) return scheduleRetry()
        const code = ev.code ?? 1006
        if (code === 4401) {
          // One retry with a fresh token (it may have expired); a second refusal ends it.
          if (++authRefusals > 1)
            return finish(
              refusal ?? new BaridError('ERR_UNAUTHENTICATED', 'the node refused the token'),
            )
        } else if (code === 4403) {
          return finish(
            refusal ?? new BaridError('ERR_FORBIDDEN', 'the node refused the push connection'),
          )
        } else if (code === 4400) {
          return finish(
            new BaridError(
              'ERR_INVALID_ARGUMENT',
              'the node did not understand the push handshake',
            ),
          )
        }
        tell(o.onError, 
          refusal ??
            new BaridError('ERR_UNAVAILABLE', 'the push connection was lost; reconnecting', {
              details: { closeCode: code },
            }),
        )
        scheduleReconnect()
      })
    })
  }

  void connect()
  const close = () => {
    if (stopped) return
    stopped = true
    if (retryTimer !== undefined) {
      clearTimeout(retryTimer)
      finish()
    } else if (current) {
      current.close(1000, 'closed by the client')
    } else {
      finish()
    }
  }
  return {
    get cursor() {
      return cursor
    },
    ready,
    closed,
    close,
    async [Symbol.asyncDispose]() {
      close()
      await closed
    },
  }
}
