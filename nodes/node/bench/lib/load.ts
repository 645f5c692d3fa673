/**
 * @module bench/lib/load
 * The load generators: a bulk run (an agency's batches, as fast as the node takes them: the
 * sustained capacity) and a paced open-loop run (single letters sent on a fixed schedule,
 * whether or not earlier ones have been answered, so that a slow node cannot slow the offered
 * load down and hide its own latency). Latency is measured from each letter's scheduled send
 * time to the moment it is seen in the recipient's mailbox at the other node.
 */
import { Agent, request } from 'node:http'
import { toBase64Url } from '../../src/core.js'
import type { BenchAgency } from './federation.js'
import type { DeliveryWatcher } from './observe.js'
import type { SealedForBench } from './seal.js'

export interface BulkResult {
  letters: number
  /** First batch sent to last delivery seen. */
  seconds: number
  /** Time to have every batch stored (the sender's `202`s). */
  submitSeconds: number
  /** Delivered letters per second between 10% and 90% of the run (steady state). */
  steadyRate: number
}

/**
 * Submits `letters` as batches of `batchSize` and waits until all are seen delivered.
 *
 * @example
 * ```ts
 * const r = await bulkRun(eta, letters, watcher, { batchSize: 2500 })
 * ```
 */
export async function bulkRun(
  agency: BenchAgency,
  letters: readonly SealedForBench[],
  watcher: DeliveryWatcher,
  o: { batchSize: number; timeoutMs: number },
): Promise<BulkResult> {
  const before = watcher.seen.size
  const bodies: string[] = []
  for (let i = 0; i < letters.length; i += o.batchSize)
    bodies.push(
      JSON.stringify({
        letters: letters.slice(i, i + o.batchSize).map((l) => toBase64Url(l.bytes)),
      }),
    )
  const marks: { at: number; n: number }[] = []
  const t0 = performance.now()
  const sampler = setInterval(
    () => marks.push({ at: performance.now(), n: watcher.seen.size - before }),
    50,
  )
  for (const body of bodies) {
    const res = await fetch(`${agency.client.url}/v1/sender/batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agency.apiKey}`, 'content-type': 'application/json' },
      body,
    })
    if (res.status !== 202) throw new Error(`batch: HTTP ${res.status} ${await res.text()}`)
    await res.arrayBuffer()
  }
  const submitSeconds = (performance.now() - t0) / 1000
  await watcher.waitFor(before + letters.length, o.timeoutMs)
  const seconds = (performance.now() - t0) / 1000
  clearInterval(sampler)
  marks.push({ at: performance.now(), n: watcher.seen.size - before })
  const at = (frac: number) => marks.find((m) => m.n >= frac * letters.length) ?? marks.at(-1)!
  const a = at(0.1)
  const b = at(0.9)
  const steadyRate = b.at > a.at ? ((b.n - a.n) * 1000) / (b.at - a.at) : Number.NaN
  return { letters: letters.length, seconds, submitSeconds, steadyRate }
}

export interface PacedResult {
  offered: number
  /** Rate actually offered (letters over the sending window). */
  offeredRate: number
  /** Scheduled send to seen in the mailbox, ms, one per delivered letter. */
  endToEnd: number[]
  /** Each letter's scheduled send time, as milliseconds since the epoch. */
  scheduledAt: Map<string, number>
  /** Scheduled send to the sender's `202` (or `200`), ms. */
  acceptance: number[]
  errors: Map<string, number>
  /** Most letters submitted and not yet answered at once (queued in the client included). */
  maxInFlight: number
  /** How late the generator itself fired, ms (p99): if large, the client was the bottleneck. */
  lateness: number[]
}

/** The letter indexes each request carries: `perRequest` at a time, in order. */
function requestGroups(letters: number, perRequest: number): number[][] {
  const groups: number[][] = []
  const k = Math.max(1, perRequest)
  for (let i = 0; i < letters; i += k)
    groups.push(Array.from({ length: Math.min(k, letters - i) }, (_, j) => i + j))
  return groups
}

/**
 * The sender API's request bodies for `letters`: `{ letter }` one a request, or `{ letters }`
 * in batches of `perRequest`.
 *
 * @example
 * ```ts
 * const bodies = requestBodies(letters, 10)
 * ```
 */
export function requestBodies(letters: readonly SealedForBench[], perRequest: number): Buffer[] {
  return requestGroups(letters.length, perRequest).map((g) =>
    Buffer.from(
      JSON.stringify(
        perRequest <= 1
          ? { letter: toBase64Url(letters[g[0]!]!.bytes) }
          : { letters: g.map((k) => toBase64Url(letters[k]!.bytes)) },
      ),
    ),
  )
}

/**
 * Sends `letters` at `rate` per second, open loop, and waits for their delivery: one letter a
 * request (`POST /v1/sender/letters`), or with `perRequest` > 1 small batches on the same
 * schedule (`POST /v1/sender/batches`, a batch going when its last letter is due).
 *
 * @example
 * ```ts
 * const r = await pacedRun(eta, letters, watcher, { rate: 1000, timeoutMs: 60_000, connections: 64, perRequest: 1 })
 * ```
 */
export async function pacedRun(
  agency: BenchAgency,
  letters: readonly SealedForBench[],
  watcher: DeliveryWatcher,
  o: { rate: number; timeoutMs: number; connections: number; perRequest: number },
): Promise<PacedResult> {
  const single = o.perRequest <= 1
  const groups = requestGroups(letters.length, o.perRequest)
  const bodies = requestBodies(letters, o.perRequest)
  const sent = await openLoopPosts({
    url: new URL(`${agency.client.url}/v1/sender/${single ? 'letters' : 'batches'}`),
    headers: { authorization: `Bearer ${agency.apiKey}`, 'content-type': 'application/json' },
    bodies,
    rate: o.rate,
    perRequest: o.perRequest,
    letters: letters.length,
    connections: o.connections,
  })
  const { sched, errors } = sent
  const acceptedAt = new Float64Array(letters.length)
  groups.forEach((g, i) => {
    if (sent.answeredAt[i]! > 0) for (const k of g) acceptedAt[k] = sent.answeredAt[i]!
  })
  const accepted = letters.filter((_, k) => acceptedAt[k]! > 0).length
  await watcher.waitFor(accepted, o.timeoutMs).catch(() => undefined)
  const endToEnd: number[] = []
  const acceptance: number[] = []
  letters.forEach((l, k) => {
    if (acceptedAt[k]! > 0) acceptance.push(acceptedAt[k]! - sched[k]!)
    const seen = watcher.seen.get(l.id)
    if (seen !== undefined) endToEnd.push(seen - sched[k]!)
  })
  const scheduledAt = new Map(letters.map((l, k) => [l.id, performance.timeOrigin + sched[k]!]))
  return {
    scheduledAt,
    offered: letters.length,
    offeredRate: letters.length / sent.sendSeconds,
    endToEnd,
    acceptance,
    errors,
    maxInFlight: sent.maxInFlight,
    lateness: sent.lateness,
  }
}

/** What {@link openLoopPosts} saw. */
export interface OpenLoopResult {
  /** Each letter's scheduled send time (`performance.now()` scale). */
  sched: Float64Array
  /** When each request was answered with a 2xx (`performance.now()`), else 0. */
  answeredAt: Float64Array
  errors: Map<string, number>
  /** Most requests sent and not yet answered at once (queued in the client included). */
  maxInFlight: number
  /** How late the generator itself fired each request, ms. */
  lateness: number[]
  /** From the first scheduled send to the last send. */
  sendSeconds: number
}

/**
 * Open loop: letters are due one every `1000 / rate` ms; `bodies[i]` carries `perRequest` of
 * them and is POSTed when its last letter is due, whether or not earlier requests have been
 * answered, over a pool of `connections` keep-alive connections (a request whose turn comes
 * while every connection is busy waits in the client's queue, and that wait counts). Resolves
 * when every request is answered.
 *
 * @example
 * ```ts
 * const r = await openLoopPosts({ url, headers: {}, bodies, rate: 1000, perRequest: 1, letters: bodies.length, connections: 64 })
 * ```
 */
export async function openLoopPosts(o: {
  url: URL
  headers: Record<string, string>
  bodies: readonly Buffer[]
  rate: number
  perRequest: number
  letters: number
  connections: number
}): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections })
  const post = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        o.url,
        {
          method: 'POST',
          agent,
          headers: { ...o.headers, 'content-length': body.byteLength },
        },
        (res) => {
          res.resume()
          res.once('end', () => resolve(res.statusCode ?? 0))
          res.once('error', reject)
        },
      )
      req.once('error', reject)
      req.end(body)
    })
  const perRequest = Math.max(1, o.perRequest)
  const sched = new Float64Array(o.letters)
  const answeredAt = new Float64Array(o.bodies.length)
  const errors = new Map<string, number>()
  const lateness: number[] = []
  let inFlight = 0
  let maxInFlight = 0
  const pending: Promise<void>[] = []
  const fire = (g: number) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    pending.push(
      post(o.bodies[g]!)
        .then((status) => {
          if (status >= 200 && status < 300) answeredAt[g] = performance.now()
          else errors.set(`HTTP ${status}`, (errors.get(`HTTP ${status}`) ?? 0) + 1)
        })
        .catch((e: unknown) => {
          const k = e instanceof Error ? e.message : 'error'
          errors.set(k, (errors.get(k) ?? 0) + 1)
        })
        .finally(() => inFlight--),
    )
  }
  const interval = 1000 / o.rate
  const t0 = performance.now() + 20
  for (let i = 0; i < o.letters; i++) sched[i] = t0 + i * interval
  // A request goes when the last letter it carries is due.
  const due = (g: number) => sched[Math.min(o.letters, (g + 1) * perRequest) - 1]!
  let g = 0
  while (g < o.bodies.length) {
    const now = performance.now()
    while (g < o.bodies.length && due(g) <= now) {
      lateness.push(now - due(g))
      fire(g++)
    }
    if (g < o.bodies.length) {
      // Sleep, never spin: at 1,000 letters/s a letter is due every millisecond, and spinning
      // on setImmediate took a whole core of this client from the two nodes. A timer fires
      // within about a millisecond, and everything due by then is sent at once; each letter's
      // latency still counts from its scheduled time (and the lateness is reported).
      const wait = due(g) - performance.now()
      await new Promise((r) => setTimeout(r, Math.max(1, Math.floor(wait))))
    }
  }
  const sendSeconds = (performance.now() - t0) / 1000
  await Promise.all(pending)
  agent.destroy()
  return { sched, answeredAt, errors, maxInFlight, lateness, sendSeconds }
}
