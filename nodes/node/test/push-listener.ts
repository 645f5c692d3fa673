/**
 * @module test/push-listener
 * A citizen's push connection (spec 13.6): authenticate with the first message, resume after a
 * cursor, receive letter events.
 */
import WebSocket from 'ws'
import type { MailboxEvent as HubEvent } from '../src/push/push-hub.js'

/** A letter event as the push socket sends it (spec 13.6). */
export type MailboxEvent = Omit<HubEvent, 'receivedAt'> & { receivedAt: string }

export interface PushListener {
  events: MailboxEvent[]
  /** Resolves with the first event matching `pred`. */
  next(pred: (e: MailboxEvent) => boolean, timeoutMs?: number): Promise<MailboxEvent>
  close(): void
}

/**
 * @example
 * ```ts
 * const push = await listenForLetters('http://127.0.0.1:7402', token, 0)
 * const e = await push.next((e) => e.letterId === id)
 * ```
 */
export async function listenForLetters(
  baseUrl: string,
  token: string,
  after: number,
): Promise<PushListener> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/citizen/events`)
  const events: MailboxEvent[] = []
  const waiters: { pred: (e: MailboxEvent) => boolean; resolve: (e: MailboxEvent) => void }[] = []
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'auth', token, after }))
    })
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string }
      if (msg.type === 'ready') resolve()
      if (msg.type === 'error') reject(new Error(`push refused: ${JSON.stringify(msg)}`))
      if (msg.type === 'letter') {
        const e = msg as unknown as MailboxEvent
        events.push(e)
        for (const w of [...waiters]) {
          if (w.pred(e)) {
            waiters.splice(waiters.indexOf(w), 1)
            w.resolve(e)
          }
        }
      }
    })
    ws.once('error', reject)
    ws.once('close', (code) => reject(new Error(`push closed: ${code}`)))
  })
  return {
    events,
    next(pred, timeoutMs = 15_000) {
      const hit = events.find(pred)
      if (hit) return Promise.resolve(hit)
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no push event in time')), timeoutMs)
        waiters.push({ pred, resolve: (e) => (clearTimeout(t), resolve(e)) })
      })
    },
    close: () => ws.close(),
  }
}
