/**
 * @module citizen/push-socket
 * WebSocket push of new letters (spec 13.6) at `/v1/citizen/events`. The client authenticates
 * (an `Authorization` header on the upgrade, or a first message `{"type":"auth","token"}`),
 * names the last cursor it has seen (`after`), receives every letter after it, then live
 * events. Subscribing happens before the backlog is read, so no letter falls between the two.
 */
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { JWTVerifyGetKey } from 'jose'
import { WebSocketServer, type WebSocket } from 'ws'
import { isBaridError, type LetterPushEvent, type PushMessage } from '../core.js'
import { pushEvent } from '../mailbox/views.js'
import type { MailboxEvent } from '../push/push-hub.js'
import type { NodeServices } from '../services.js'
import { mailboxForToken } from './auth.js'

export const EVENTS_PATH = '/v1/citizen/events'
const AUTH_TIMEOUT_MS = 10_000
const PING_MS = 30_000

function send(ws: WebSocket, msg: PushMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg))
}

async function serve(
  svc: NodeServices,
  keySet: JWTVerifyGetKey,
  ws: WebSocket,
  token: string,
  after: number,
): Promise<() => void> {
  const mailbox = await mailboxForToken(svc, token, keySet)
  let last = after
  const emit = (e: MailboxEvent) => {
    if (e.cursor <= last) return
    last = e.cursor
    send(ws, { ...e, receivedAt: new Date(e.receivedAt).toISOString() } satisfies LetterPushEvent)
  }
  /** Sends what the mailbox holds after the last cursor sent, in cursor order. */
  const readOn = async () => {
    for (;;) {
      const page = await svc.storage.listMailboxAfter(mailbox.id, last, 500)
      for (const entry of page) emit(pushEvent(entry, svc.config.profile.languages))
      if (page.length < 500) break
    }
  }
  // A live event is a wake-up, not the thing sent: the socket reads on from its last cursor, so
  // events published out of cursor order (their publishers finishing in the other order) cannot
  // make it skip an entry (spec 13.6). One read at a time; a wake during a read asks for another.
  let reading: Promise<void> | undefined
  let again = false
  const wake = () => {
    if (reading) {
      again = true
      return
    }
    reading = readOn()
      .catch((e: unknown) =>
        svc.log.error('push: reading the mailbox failed', { error: String(e).slice(0, 200) }),
      )
      .finally(() => {
        reading = undefined
        if (again) {
          again = false
          wake()
        }
      })
  }
  let draining = true
  let woken = false
  const off = svc.push.subscribe(mailbox.id, () => (draining ? (woken = true) : wake()))
  await readOn()
  draining = false
  send(ws, { type: 'ready', cursor: last })
  if (woken) wake()
  return off
}

/**
 * Handles WebSocket upgrades on `server` for the events path.
 *
 * @example
 * ```ts
 * const wss = attachPushSocket(svc, httpServer, keySet)
 * ```
 */
export function attachPushSocket(
  svc: NodeServices,
  server: Server,
  keySet: JWTVerifyGetKey,
): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname !== EVENTS_PATH) {
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const afterQ = Number(url.searchParams.get('after') ?? 0)
      const header = req.headers.authorization
      let off: (() => void) | undefined
      let authed = false
      const timer = setTimeout(
        () => !authed && ws.close(4401, 'authentication required'),
        AUTH_TIMEOUT_MS,
      )
      const ping = setInterval(() => ws.readyState === ws.OPEN && ws.ping(), PING_MS)
      ping.unref?.()
      const start = (token: string, after: number) => {
        authed = true
        clearTimeout(timer)
        serve(svc, keySet, ws, token, Number.isSafeInteger(after) && after >= 0 ? after : 0)
          .then((o) => {
            off = o
            if (ws.readyState !== ws.OPEN) off()
          })
          .catch((e) => {
            const code = isBaridError(e) ? e.code : 'ERR_INTERNAL'
            send(ws, { type: 'error', error: { code, message: 'push refused' } })
            ws.close(
              code === 'ERR_UNAUTHENTICATED' ? 4401 : code === 'ERR_FORBIDDEN' ? 4403 : 1011,
              code,
            )
          })
      }
      if (header?.startsWith('Bearer ')) start(header.slice(7).trim(), afterQ)
      ws.on('message', (data) => {
        if (authed) return
        try {
          const msg = JSON.parse(String(data)) as {
            type?: unknown
            token?: unknown
            after?: unknown
          }
          if (msg.type !== 'auth' || typeof msg.token !== 'string') throw new Error('bad')
          start(msg.token, typeof msg.after === 'number' ? msg.after : afterQ)
        } catch {
          ws.close(4400, 'expected an auth message')
        }
      })
      ws.on('close', () => {
        clearTimeout(timer)
        clearInterval(ping)
        off?.()
      })
    })
  })
  return wss
}
