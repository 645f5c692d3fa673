/**
 * @module bench/lib/listing
 * The listing benchmark: a Danish node's database seeded with many letters through the
 * `Storage` seam (in batches, as federation transactions write them), then mailbox listings
 * timed twice: through `Storage.listMailbox` in-process, and through the citizen API of the node
 * running in its own process (bearer token verification, routing and JSON included).
 *
 * Layout: one "heavy" mailbox holds a tenth of the letters (an organisation's inbox, or a
 * worst-case citizen), the rest are spread round-robin over the other mailboxes, interleaved
 * in time as they would arrive. In the heavy mailbox 99 letters in 100 are opened, so the unread
 * filter has to skip far; elsewhere every other letter is opened.
 */
import Database from 'better-sqlite3'
import { newLetterId } from '../../src/core.js'
import { createSqliteStorage } from '../../src/storage/sqlite-storage.js'
import type { LetterWrite } from '../../src/storage/types.js'
import { cprOf } from './federation.js'

export interface SeedResult {
  seconds: number
  heavy: { id: number; identifier: string; count: number }
  others: { id: number; identifier: string }[]
  /** Cursors (delivery ids) of the heavy mailbox, ascending. */
  heavyCursors: number[]
}

/**
 * Seeds `dbFile` with `letters` letters over `mailboxes` mailboxes (plus the heavy one).
 *
 * @example
 * ```ts
 * const seed = await seedMailboxes({ dbFile, letters: 1_000_000, mailboxes: 1000 })
 * ```
 */
export async function seedMailboxes(o: {
  dbFile: string
  letters: number
  mailboxes: number
  operator: string
  synchronous: 'full' | 'normal'
  onProgress?: (done: number) => void
}): Promise<SeedResult> {
  const storage = createSqliteStorage({ file: o.dbFile, synchronous: o.synchronous })
  const t0 = performance.now()
  const mk = async (i: number) =>
    storage.createMailbox({
      address: `p${i}@${o.operator}`,
      identifier: cprOf(i),
      kind: 'person',
      createdAt: Date.now(),
    })
  const heavy = await mk(0)
  const others = []
  for (let i = 1; i <= o.mailboxes; i++) others.push(await mk(i))
  const bytes = crypto.getRandomValues(new Uint8Array(1400))
  const start = Date.now() - o.letters
  const batch = 5000
  let heavyCount = 0
  for (let done = 0; done < o.letters;) {
    const ws: LetterWrite[] = []
    for (let k = 0; k < batch && done < o.letters; k++, done++) {
      const at = start + done
      const toHeavy = done % 10 === 0
      const mb = toHeavy ? heavy : others[(done - heavyCount) % others.length]!
      if (toHeavy) heavyCount++
      const id = newLetterId(at)
      ws.push({
        letter: {
          id,
          digest: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex'),
          senderAddress: 'tax@post.eg',
          senderKid: 'kXq1N0m3l0bqUj8y1c2Jm8b0tP2kSg7rVv5HqYH6m0w',
          kind: 'letter',
          createdAt: at,
          expiresAt: at + 30 * 86_400_000,
          threadId: null,
          replyTo: null,
          origin: 'post.eg',
          receivedAt: at,
          size: bytes.byteLength,
          attachments: [],
        },
        bytes,
        recipients: [],
        deliveries: [{ mailboxId: mb.id, address: mb.address, evidence: [] }],
        outbox: [],
        evidence: [],
      })
    }
    await storage.writeLetters(ws)
    o.onProgress?.(done)
  }
  await storage.close()
  // Read state: a seeding shortcut straight in SQL (markOpened one by one would take hours).
  const db = new Database(o.dbFile)
  db.prepare(
    // The heavy mailbox holds every tenth delivery (ids 1, 11, 21, ...): one in 100 stays unread.
    'update deliveries set opened_at = received_at + 60000 where mailbox_id = ? and id % 1000 > 9',
  ).run(heavy.id)
  db.prepare(
    'update deliveries set opened_at = received_at + 60000 where mailbox_id != ? and id % 2 = 0',
  ).run(heavy.id)
  const heavyCursors = (
    db.prepare('select id from deliveries where mailbox_id = ? order by id').all(heavy.id) as {
      id: number
    }[]
  ).map((r) => r.id)
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  return {
    seconds: (performance.now() - t0) / 1000,
    heavy: { id: heavy.id, identifier: heavy.identifier!, count: heavyCount },
    others: others.map((m) => ({ id: m.id, identifier: m.identifier! })),
    heavyCursors,
  }
}

/** A named listing query, run repeatedly. */
export interface ListingCase {
  name: string
  /** Storage-level call. */
  mailboxId: number
  identifier: string
  before?: number
  unreadOnly?: boolean
}

/**
 * The query mix: first pages of ordinary and heavy mailboxes, deep cursor pages of the heavy
 * one, and the unread filter on the heavy one (first page and deep).
 */
export function listingCases(seed: SeedResult, n: number, random = Math.random): ListingCase[][] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!
  const deep = () => seed.heavyCursors[Math.floor(random() * seed.heavyCursors.length * 0.9)]!
  const h = seed.heavy
  const cases: ListingCase[][] = [[], [], [], [], []]
  for (let i = 0; i < n; i++) {
    const o = pick(seed.others)
    cases[0]!.push({
      name: 'first page, ordinary mailbox',
      mailboxId: o.id,
      identifier: o.identifier,
    })
    cases[1]!.push({ name: 'first page, heavy mailbox', mailboxId: h.id, identifier: h.identifier })
    cases[2]!.push({
      name: 'deep cursor page, heavy mailbox',
      mailboxId: h.id,
      identifier: h.identifier,
      before: deep(),
    })
    cases[3]!.push({
      name: 'unread first page, heavy mailbox',
      mailboxId: h.id,
      identifier: h.identifier,
      unreadOnly: true,
    })
    cases[4]!.push({
      name: 'unread deep page, heavy mailbox',
      mailboxId: h.id,
      identifier: h.identifier,
      unreadOnly: true,
      before: deep(),
    })
  }
  return cases
}

/**
 * Runs every case once untimed (warm page cache, as on a running node), then times them all,
 * the groups interleaved so that a burst of load from elsewhere on the machine spreads over
 * every group rather than landing on one.
 */
async function timeInterleaved(
  cases: ListingCase[][],
  run: (c: ListingCase) => Promise<number>,
): Promise<{ name: string; ms: number[] }[]> {
  for (const group of cases)
    for (const c of group)
      if ((await run(c)) === 0) throw new Error(`listing: empty page for ${c.name}`)
  const ms: number[][] = cases.map(() => [])
  const n = Math.max(...cases.map((g) => g.length))
  for (let i = 0; i < n; i++)
    for (const [g, group] of cases.entries()) {
      const c = group[i]
      if (!c) continue
      const t = performance.now()
      await run(c)
      ms[g]!.push(performance.now() - t)
    }
  return cases.map((group, g) => ({ name: group[0]!.name, ms: ms[g]! }))
}

/**
 * Times `Storage.listMailbox` (page of 50, asked as 51 like the API does) for each case.
 *
 * @example
 * ```ts
 * const ms = await timeStorageListing(dbFile, cases)
 * ```
 */
export async function timeStorageListing(
  dbFile: string,
  cases: ListingCase[][],
): Promise<{ name: string; ms: number[] }[]> {
  const storage = createSqliteStorage({ file: dbFile })
  try {
    return await timeInterleaved(cases, async (c) => {
      const page = await storage.listMailbox(c.mailboxId, {
        limit: 51,
        ...(c.before !== undefined ? { before: c.before } : {}),
        ...(c.unreadOnly ? { unreadOnly: true } : {}),
      })
      return page.length
    })
  } finally {
    await storage.close()
  }
}

/**
 * Times `GET /v1/citizen/letters` against a running node, one request at a time.
 *
 * @example
 * ```ts
 * const ms = await timeHttpListing(dk.url, cases, tokens)
 * ```
 */
export async function timeHttpListing(
  url: string,
  cases: ListingCase[][],
  token: (identifier: string) => Promise<string>,
): Promise<{ name: string; ms: number[] }[]> {
  const auth = new Map<string, string>()
  for (const group of cases)
    for (const c of group)
      if (!auth.has(c.identifier)) auth.set(c.identifier, `Bearer ${await token(c.identifier)}`)
  return timeInterleaved(cases, async (c) => {
    const q = new URLSearchParams({ limit: '50' })
    if (c.before !== undefined) q.set('before', String(c.before))
    if (c.unreadOnly) q.set('unread', 'true')
    const res = await fetch(`${url}/v1/citizen/letters?${q}`, {
      headers: { authorization: auth.get(c.identifier)! },
    })
    const body = (await res.json()) as { letters?: unknown[] }
    if (!res.ok) throw new Error(`listing: HTTP ${res.status} for ${c.name}`)
    return body.letters?.length ?? 0
  })
}
