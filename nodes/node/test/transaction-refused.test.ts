/**
 * A peer that refuses a whole transaction for good (a final 4xx, spec 14.3): the sending node
 * settles its letters `not-delivered` with the peer's code, and a registered letter's evidence
 * chain ends in the sending node's own `not-delivered` record (14.5), which verifies.
 */
import { expect, it } from 'vitest'
import { etaToLars, eventually, startPair } from './harness.js'
import { endsInOwnRecord } from './own-record.js'

/** What the peer answers instead of processing the transaction. */
const refusals = [
  { status: 422, code: 'ERR_LETTER_MALFORMED', shown: 'ERR_LETTER_MALFORMED' },
  // Not a code of errors.md: read as the peer failing, in the status and the record alike.
  { status: 403, code: 'ERR_NOT_OURS', shown: 'ERR_PEER_UNAVAILABLE' },
] as const

for (const r of refusals) {
  it(`ends a registered letter refused with ${r.status} ${r.code} in the senders record`, async () => {
    await using pair = await startPair({
      wrapFetch: (side, f) => async (input, init) => {
        if (side !== 'eg' || !input.includes('/v1/federation/transactions/')) return f(input, init)
        const body = JSON.stringify({ error: { code: r.code, message: 'refused' } })
        return new Response(body, {
          status: r.status,
          headers: { 'content-type': 'application/json' },
        })
      },
    })
    const { eta, lars, send } = await etaToLars(pair, { inProcess: true })
    const id = await send('refused whole')
    await eventually(async () => {
      const s = (await eta.client.status(id)).recipients[0]!
      expect([s.state, s.code]).toEqual(['not-delivered', r.shown])
    })

    await endsInOwnRecord(pair.nodes.eg.services, id, lars.address, r.shown)
  })
}

it('ends a registered letter it has no sender certificate to send with in its own record', async () => {
  let down = true
  await using pair = await startPair({
    wrapFetch: (side, f) => async (input, init) => {
      if (side === 'eg' && down && input.includes('/v1/federation/transactions/'))
        return new Response('', { status: 503 })
      return f(input, init)
    },
    config: { delivery: { baseBackoffMs: 50, maxBackoffMs: 200 } },
  })
  const { eta, lars, send } = await etaToLars(pair, { inProcess: true })
  const id = await send('no certificate')
  // Queued, then the sender's signing key is gone from post.eg's store (an operator's mistake).
  const file = pair.configs.eg.dbFile
  await pair.stop('eg')
  const Database = (await import('better-sqlite3')).default
  const db = new Database(file)
  const gone = db
    .prepare(
      `DELETE FROM mailbox_keys WHERE use = 'sig'
         AND mailbox_id = (SELECT id FROM mailboxes WHERE address = ?)`,
    )
    .run(eta.address).changes
  db.close()
  expect(gone).toBeGreaterThan(0)
  down = false
  await pair.start('eg')
  await eventually(async () => {
    const s = (await eta.client.status(id)).recipients[0]!
    expect([s.state, s.code]).toEqual(['not-delivered', 'ERR_KEY_NOT_FOUND'])
  })
  await endsInOwnRecord(pair.nodes.eg.services, id, lars.address, 'ERR_KEY_NOT_FOUND')
})

it('ends a registered letter whose stored content is gone when it is due in its own record', async () => {
  let down = true
  await using pair = await startPair({
    wrapFetch: (side, f) => async (input, init) => {
      if (side === 'eg' && down && input.includes('/v1/federation/transactions/'))
        return new Response('', { status: 503 })
      return f(input, init)
    },
  })
  const { eta, lars, send } = await etaToLars(pair, { inProcess: true })
  const id = await send('content gone')
  // Queued, then its ciphertext is gone from post.eg's store (a fault, or an operator's mistake);
  // the letter's row, with its digest, stays.
  const file = pair.configs.eg.dbFile
  await pair.stop('eg')
  const Database = (await import('better-sqlite3')).default
  const db = new Database(file)
  const gone = db.prepare('UPDATE letters SET bytes = NULL WHERE id = ?').run(id).changes
  db.close()
  expect(gone).toBe(1)
  down = false
  await pair.start('eg')
  await eventually(async () => {
    const s = (await eta.client.status(id)).recipients[0]!
    expect([s.state, s.code]).toEqual(['not-delivered', 'ERR_NOT_FOUND'])
  })
  await endsInOwnRecord(pair.nodes.eg.services, id, lars.address, 'ERR_NOT_FOUND')
})

/**
 * Sends a letter whose first attempt is cut after it may have reached digitalpost.dk (the item is
 * ambiguous), then, with post.eg stopped, `damage`s its database (the rows it changed: at least
 * one), and expects the letter to end `unconfirmed` with `code` and no record of post.eg's own:
 * the peer may hold the letter, so the sending node does not say it was not delivered.
 */
async function ambiguousThenDamaged(
  text: string,
  damage: (db: import('better-sqlite3').Database, ids: { id: string; sender: string }) => number,
  code: string,
): Promise<void> {
  let cut = true
  await using pair = await startPair({
    wrapFetch: (side, f) => async (input, init) => {
      if (side === 'eg' && cut && input.includes('/v1/federation/transactions/'))
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })
      return f(input, init)
    },
  })
  const { eta, send } = await etaToLars(pair, { inProcess: true })
  const id = await send(text)
  const file = pair.configs.eg.dbFile
  const Database = (await import('better-sqlite3')).default
  await eventually(async () => {
    const db = new Database(file, { readonly: true })
    const row = db.prepare('SELECT ambiguous FROM outbox WHERE letter_id = ?').get(id)
    db.close()
    expect(row).toEqual({ ambiguous: 1 })
  })
  await pair.stop('eg')
  const db = new Database(file)
  const changed = damage(db, { id, sender: eta.address })
  db.close()
  expect(changed).toBeGreaterThan(0)
  cut = false
  await pair.start('eg')
  await eventually(async () => {
    const s = (await eta.client.status(id)).recipients[0]!
    expect([s.state, s.code]).toEqual(['unconfirmed', code])
  })
  const types = (await pair.nodes.eg.services.storage.listEvidence(id)).map((e) => e.type)
  expect(types).toEqual(['submission-accepted'])
}

it('ends a letter whose stored content is gone after an ambiguous attempt unconfirmed, without a record', async () => {
  await ambiguousThenDamaged(
    'content gone after a cut',
    (db, { id }) => db.prepare('UPDATE letters SET bytes = NULL WHERE id = ?').run(id).changes,
    'ERR_NOT_FOUND',
  )
})

it('ends a letter it has no sender certificate for after an ambiguous attempt unconfirmed, without a record', async () => {
  await ambiguousThenDamaged(
    'no certificate after a cut',
    (db, { sender }) =>
      db
        .prepare(
          `DELETE FROM mailbox_keys WHERE use = 'sig'
             AND mailbox_id = (SELECT id FROM mailboxes WHERE address = ?)`,
        )
        .run(sender).changes,
    'ERR_KEY_NOT_FOUND',
  )
})
