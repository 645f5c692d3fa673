/**
 * @module checks/push
 * The citizen's push channel (spec 13.6), over a real WebSocket: refusal of an unauthenticated
 * connection, the backlog after a cursor then live letters, resuming after a reconnect with
 * nothing lost or repeated, each event equal to its listing entry, and isolation between
 * mailboxes.
 */
import WebSocket from 'ws'
import {
  citizenCall,
  newCitizen,
  recipientOf,
  sealAs,
  submit,
  tokenOf,
  type Citizen,
} from '../world/parties.js'
import type { World } from '../world/world.js'
import { ensure, eventually, expectStatus, fail, type Check } from './check.js'
import { fixtures, type Fixtures } from './fixtures.js'

const PATH = '/v1/citizen/events'

interface PushMsg {
  type: string
  cursor?: number
  letterId?: string
  error?: { code?: unknown; message?: unknown }
  [k: string]: unknown
}

/** One push connection: every message it received, and how it closed. */
interface PushConn {
  messages: PushMsg[]
  letters(): PushMsg[]
  closed: Promise<{ code: number; reason: string }>
  ready(what: string, clause: string): Promise<PushMsg>
  close(): void
  raw: WebSocket
}

function connect(
  c: Citizen | { node: { url: string } },
  o: { query?: string; header?: string } = {},
): Promise<PushConn> {
  const url = `${c.node.url.replace(/^http/, 'ws')}${PATH}${o.query ?? ''}`
  const ws = new WebSocket(url, o.header ? { headers: { authorization: o.header } } : {})
  const messages: PushMsg[] = []
  ws.on('message', (data) => {
    try {
      messages.push(JSON.parse(String(data)) as PushMsg)
    } catch {
      messages.push({ type: '(not JSON)', text: String(data) })
    }
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  )
  ws.on('error', () => undefined)
  const conn: PushConn = {
    messages,
    letters: () => messages.filter((m) => m.type === 'letter'),
    closed,
    raw: ws,
    close: () => ws.close(),
    ready: (what, clause) =>
      eventually(async () => messages.find((m) => m.type === 'ready'), {
        what: `${what}: the ready message`,
        clause,
      }),
  }
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(conn))
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`${PATH} answered the upgrade with HTTP ${res.statusCode}`)),
    )
    ws.once('error', reject)
  })
}

/** A connection authenticated with the auth message (13.6), resuming after `after`. */
async function subscribe(world: World, c: Citizen, after: number): Promise<PushConn> {
  let conn: PushConn
  try {
    conn = await connect(c)
  } catch (e) {
    fail(`opening the push socket: ${(e as Error).message}`, '13.6-1')
  }
  conn.raw.send(JSON.stringify({ type: 'auth', token: await tokenOf(world, c), after }))
  return conn
}

/** Sends `n` letters from the fixture agency to `c` on its node, returning their ids in order. */
async function deliver(world: World, f: Fixtures, c: Citizen, n: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const l = await sealAs(world, f.agencyA, [recipientOf(c)])
    expectStatus(await submit(world, f.agencyA, l.bytes), 202, '12.3-5', 'a letter to the citizen')
    ids.push(l.id)
  }
  return ids
}

interface Entry {
  cursor: number
  letterId: string
  [k: string]: unknown
}

/** The citizen's listing (13.5), oldest first, once it holds `ids`. */
async function listing(world: World, c: Citizen, ids: readonly string[]): Promise<Entry[]> {
  return eventually(
    async () => {
      const r = await citizenCall(world, c, 'GET', '/v1/citizen/letters?limit=200')
      const all = ((r.body as { letters?: Entry[] }).letters ?? []).slice().reverse()
      return ids.every((id) => all.some((e) => e.letterId === id)) ? all : undefined
    },
    { what: 'the letters to reach the mailbox', clause: '14.4-3' },
  )
}

/** Waits until `conn` has received letter events for all of `ids`. */
function received(conn: PushConn, ids: readonly string[], what: string, clause: string) {
  return eventually(
    async () =>
      ids.every((id) => conn.letters().some((m) => m.letterId === id)) ? true : undefined,
    { what: `${what}: events for ${ids.length} letters`, clause },
  )
}

const cursors = (ms: readonly PushMsg[]) => ms.map((m) => m.cursor).join(' ')

/** Fails unless the letter events are exactly `expected` (by cursor, in that order). */
function expectSequence(got: readonly PushMsg[], expected: readonly Entry[], what: string): void {
  ensure(
    cursors(got) === expected.map((e) => e.cursor).join(' '),
    `${what}: letter events with cursors [${cursors(got)}], expected [${expected.map((e) => e.cursor).join(' ')}]`,
    '13.6-6',
  )
}

const FIELDS = ['cursor', 'letterId', 'sender', 'senderName', 'kind', 'receivedAt'] as const

/** Fails unless each event carries its listing entry's fields (13.6-7). */
function expectSameAsListing(got: readonly PushMsg[], entries: readonly Entry[]): void {
  for (const m of got) {
    const e = entries.find((x) => x.cursor === m.cursor)
    ensure(e, `a letter event with cursor ${String(m.cursor)} has no listing entry`, '13.6-7')
    for (const k of FIELDS)
      ensure(
        JSON.stringify(m[k]) === JSON.stringify(e[k]),
        `the event for cursor ${e.cursor} has ${k} ${JSON.stringify(m[k])}, the listing ${JSON.stringify(e[k])}`,
        '13.6-7',
      )
    ensure(
      typeof m.receivedAt === 'string' &&
        m.receivedAt.endsWith('Z') &&
        !isNaN(Date.parse(m.receivedAt)),
      `receivedAt ${JSON.stringify(m.receivedAt)} is not an RFC 3339 UTC time`,
      '13.6-7',
    )
  }
}

/** Expects `conn` to be refused: optionally an error message first, then close `code`. */
async function expectClosed(
  conn: PushConn,
  code: number,
  o: { errorCode?: string; what: string; clause: string; timeoutMs?: number },
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), o.timeoutMs ?? 5000)
  })
  const c = await Promise.race([conn.closed, timeout])
  clearTimeout(timer)
  if (!c) {
    conn.close()
    fail(`${o.what}: the node did not close the connection`, o.clause)
  }
  ensure(c.code === code, `${o.what}: closed with ${c.code}, expected ${code}`, o.clause)
  ensure(
    conn.letters().length === 0,
    `${o.what}: ${conn.letters().length} letter events before authentication`,
    '13.6-2',
  )
  if (o.errorCode) {
    const err = conn.messages.find((m) => m.type === 'error')
    ensure(
      err?.error?.code === o.errorCode && typeof err.error.message === 'string',
      `${o.what}: error message ${JSON.stringify(err)}, expected code ${o.errorCode}`,
      '13.6-3',
    )
  }
}

export const pushChecks: Check[] = [
  {
    id: 'push.auth',
    title:
      'a push connection without a valid token is refused with its close code and sends no letter',
    group: 'citizen',
    clauses: ['13.6-1', '13.6-2', '13.6-3', '13.6-4'],
    kind: 'example',
    timeoutMs: 40_000,
    async run({ world }) {
      const f = await fixtures(world)
      const c = await newCitizen(world, world.a)
      await listing(world, c, await deliver(world, f, c, 1))
      // Opened first: the node closes it after 10 seconds, while the others are judged.
      const idle = await connect(c)
      const bad = 'abc.def.ghi'
      const byMessage = await connect(c)
      byMessage.raw.send(JSON.stringify({ type: 'auth', token: bad, after: 0 }))
      await expectClosed(byMessage, 4401, {
        errorCode: 'ERR_UNAUTHENTICATED',
        what: 'an auth message with a malformed token',
        clause: '13.6-3',
      })
      let byHeader: PushConn
      try {
        byHeader = await connect(c, { header: `Bearer ${bad}` })
      } catch (e) {
        fail(`an upgrade with a malformed bearer token: ${(e as Error).message}`, '13.6-3')
      }
      await expectClosed(byHeader, 4401, {
        errorCode: 'ERR_UNAUTHENTICATED',
        what: 'an upgrade with a malformed bearer token',
        clause: '13.6-3',
      })
      for (const [what, text] of [
        ['a first message that is not JSON', 'hello'],
        ['a first message of another type', JSON.stringify({ type: 'hello', after: 0 })],
        ['an auth message without a token', JSON.stringify({ type: 'auth', after: 0 })],
      ] as const) {
        const conn = await connect(c)
        conn.raw.send(text)
        await expectClosed(conn, 4400, { what, clause: '13.6-4' })
      }
      await expectClosed(idle, 4401, {
        what: 'a connection that never authenticates',
        clause: '13.6-4',
        timeoutMs: 15_000,
      })
      // The same citizen with its real token is served, by header as by message.
      const ok = await connect(c, { header: `Bearer ${await tokenOf(world, c)}` })
      await ok.ready('an upgrade with a valid bearer token', '13.6-1')
      ok.close()
      const okMsg = await subscribe(world, c, 0)
      await okMsg.ready('an auth message with a valid token', '13.6-1')
      okMsg.close()
    },
  },
  {
    id: 'push.backlog-then-live',
    title:
      'a push connection gets the entries after its cursor in order, then ready, then new letters, each as listed',
    group: 'citizen',
    clauses: ['13.6-1', '13.6-5', '13.6-6', '13.6-7'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const c = await newCitizen(world, world.a)
      const first = await listing(world, c, await deliver(world, f, c, 3))
      const after = first[0]!.cursor
      const conn = await subscribe(world, c, after)
      const ready = await conn.ready('after the first cursor', '13.6-5')
      const backlog = first.slice(1)
      expectSequence(conn.letters(), backlog, 'the backlog')
      ensure(
        conn.messages.indexOf(ready) === backlog.length,
        `the ready message came at position ${conn.messages.indexOf(ready)} of the messages, not after the ${backlog.length} backlog events`,
        '13.6-5',
      )
      ensure(
        ready.cursor === backlog[backlog.length - 1]!.cursor,
        `ready names cursor ${String(ready.cursor)}, the last sent was ${backlog[backlog.length - 1]!.cursor}`,
        '13.6-5',
      )
      const live = await deliver(world, f, c, 1)
      await received(conn, live, 'a live letter', '13.6-5')
      const all = await listing(world, c, live)
      expectSequence(conn.letters(), all.slice(1), 'backlog then live')
      expectSameAsListing(conn.letters(), all)
      conn.close()
      // By header, `after` from the query: an empty backlog, and ready names that cursor.
      const top = all[all.length - 1]!.cursor
      const byHeader = await connect(c, {
        header: `Bearer ${await tokenOf(world, c)}`,
        query: `?after=${top}`,
      })
      const r2 = await byHeader.ready('by header, after the newest cursor', '13.6-5')
      ensure(
        byHeader.letters().length === 0 && r2.cursor === top,
        `after the newest cursor ${top}: ${byHeader.letters().length} letter events, ready ${String(r2.cursor)}`,
        '13.6-5',
      )
      byHeader.close()
    },
  },
  {
    id: 'push.resume',
    title:
      'letters arriving while a connection starts and while it is down reach the client once each, in cursor order',
    group: 'citizen',
    clauses: ['13.6-5', '13.6-6'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const c = await newCitizen(world, world.a)
      const before = await deliver(world, f, c, 2)
      await listing(world, c, before)
      // Letters submitted while the node reads the backlog: none may fall between the two.
      const [conn, during] = await Promise.all([subscribe(world, c, 0), deliver(world, f, c, 3)])
      await received(conn, [...before, ...during], 'letters sent while connecting', '13.6-6')
      const seen = await listing(world, c, during)
      expectSequence(conn.letters(), seen, 'the first connection')
      const last = conn.letters()[conn.letters().length - 1]!.cursor!
      conn.close()
      await conn.closed
      const missed = await deliver(world, f, c, 2)
      await listing(world, c, missed)
      const again = await subscribe(world, c, last)
      await again.ready('the reconnection', '13.6-5')
      const more = await deliver(world, f, c, 1)
      await received(again, more, 'a live letter after the reconnection', '13.6-5')
      const now = await listing(world, c, more)
      expectSequence(
        again.letters(),
        now.filter((e) => e.cursor > last),
        'after the reconnection',
      )
      again.close()
    },
  },
  {
    id: 'push.isolation',
    title:
      "every connection of a mailbox gets its letters and another citizen's connection gets none of them",
    group: 'privacy',
    clauses: ['13.6-8', '13.6-9', '13.6-10'],
    kind: 'example',
    async run({ world }) {
      const f = await fixtures(world)
      const owner = await newCitizen(world, world.a)
      const other = await newCitizen(world, world.a)
      const early = await deliver(world, f, owner, 1)
      await listing(world, owner, early)
      const phone = await subscribe(world, owner, 0)
      // An auth message near the size limit (16 384 bytes) is accepted.
      const tablet = await connect(owner)
      const auth = { type: 'auth', token: await tokenOf(world, owner), after: 0, pad: '' }
      auth.pad = 'x'.repeat(16_000 - JSON.stringify(auth).length)
      tablet.raw.send(JSON.stringify(auth))
      await tablet.ready('an auth message of 16 000 bytes', '13.6-10')
      const spy = await subscribe(world, other, 0)
      const r = await spy.ready("another citizen's connection", '13.6-8')
      const late = await deliver(world, f, owner, 2)
      await received(phone, [...early, ...late], 'the first device', '13.6-9')
      await received(tablet, [...early, ...late], 'the second device', '13.6-9')
      const mine = await deliver(world, f, other, 1)
      await received(spy, mine, "the other citizen's own letter", '13.6-8')
      const leaked = spy.messages.filter(
        (m) => m.type === 'letter' && [...early, ...late].includes(m.letterId ?? ''),
      )
      ensure(
        leaked.length === 0 && spy.letters().length === 1 && r.cursor === 0,
        `another citizen's connection carried ${leaked.length} of the owner's letters (${spy.letters().length} letter events, ready ${String(r.cursor)})`,
        '13.6-8',
      )
      ensure(
        !phone.letters().some((m) => mine.includes(m.letterId ?? '')),
        "the owner's connection carried the other citizen's letter",
        '13.6-8',
      )
      for (const x of [phone, tablet, spy]) x.close()
    },
  },
]
