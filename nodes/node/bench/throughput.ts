/**
 * End-to-end cross-node throughput (`npx tsx bench/throughput.ts [letters]`): Egypt Post and
 * Denmark on loopback with SQLite files, an agency's pre-sealed letters submitted in batches to
 * post.eg and relayed to digitalpost.dk. Prints letters per second (submission start to the last
 * delivery into a mailbox) and p50/p99 latency (acceptance at post.eg to delivery at
 * digitalpost.dk), beside the same run's raw per-letter floor: one Ed25519 verification and one
 * SQLite insert.
 */
import Database from 'better-sqlite3'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair } from '../src/core.js'
import { sealFor } from '../src/demo/clients.js'
import { makeAgency, makeCitizen, startPair } from '../test/harness.js'

const N = Number(process.argv[2] ?? 5000)
const say = (s: string) => process.stdout.write(s + '\n')

async function rawFloor(n: number): Promise<number> {
  const k = await generateKeyPair('Ed25519')
  const msg = new Uint8Array(1000)
  const sig = new Uint8Array(await crypto.subtle.sign('Ed25519', k.privateKey, msg))
  const db = new Database(':memory:')
  db.pragma('journal_mode = WAL')
  db.exec('create table t (id integer primary key, letter_id text unique, bytes blob)')
  const ins = db.prepare('insert into t (letter_id, bytes) values (?, ?)')
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    await crypto.subtle.verify('Ed25519', k.publicKey, sig, msg)
    ins.run(`l${i}`, Buffer.from(msg))
  }
  return (performance.now() - t0) / n
}

// synchronous=normal: durable against a killed process, not a power cut (spec 15.1); the
// reference default `full` adds one fsync per commit.
const pair = await startPair({
  listen: true,
  config: {
    synchronous: 'normal',
    delivery: { baseBackoffMs: 50, maxBackoffMs: 1000, idlePollMs: 50 },
  },
})
try {
  const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax', fetch)
  const people = []
  // ten residents born 1 January 1990 to 1999: CPR 010190-1234 … 010199-1234
  for (let i = 0; i < 10; i++)
    people.push(await makeCitizen(pair, 'dk', `p${i}`, `dk:cpr:01019${i}1234`, fetch))
  const keys = []
  for (const p of people) {
    const r = await eta.client.lookup({ address: p.address })
    if (r.status === 'active') keys.push(r)
  }
  say(`sealing ${N} letters on the agency's side...`)
  const letters: Uint8Array[] = []
  for (let i = 0; i < N; i++) {
    const to = keys[i % keys.length]!
    letters.push(
      (
        await sealFor({
          from: { address: eta.address, keys: eta.keys },
          to: [{ address: to.address, keys: to }],
          subject: `n${i}`,
          body: `letter ${i}`,
          lang: 'en',
        })
      ).bytes,
    )
  }
  const t0 = performance.now()
  for (let i = 0; i < N; i += 2500) await eta.client.submitBatch(letters.slice(i, i + 2500))
  const dkDb = new Database(pair.configs.dk.dbFile, { readonly: true })
  const count = dkDb.prepare('select count(*) n from deliveries')
  while ((count.get() as { n: number }).n < N) await new Promise((r) => setTimeout(r, 20))
  const seconds = (performance.now() - t0) / 1000
  const egDb = new Database(pair.configs.eg.dbFile, { readonly: true })
  const accepted = new Map(
    (
      egDb.prepare('select id, received_at from letters').all() as {
        id: string
        received_at: number
      }[]
    ).map((r) => [r.id, r.received_at]),
  )
  const lat = (
    dkDb.prepare('select letter_id, received_at from deliveries').all() as {
      letter_id: string
      received_at: number
    }[]
  )
    .map((r) => r.received_at - accepted.get(r.letter_id)!)
    .sort((a, b) => a - b)
  const floor = await rawFloor(Math.min(N, 5000))
  say(
    `letters: ${N}, cross-node throughput: ${(N / seconds).toFixed(0)} letters/s (${seconds.toFixed(2)} s)`,
  )
  say(
    `latency acceptance -> mailbox: p50 ${lat[Math.floor(lat.length * 0.5)]} ms, p99 ${lat[Math.floor(lat.length * 0.99)]} ms`,
  )
  say(
    `raw floor (1 Ed25519 verify + 1 SQLite insert): ${floor.toFixed(3)} ms/letter = ${(1000 / floor).toFixed(0)} letters/s; ratio to end-to-end ${(1000 / floor / (N / seconds)).toFixed(1)}x`,
  )
  dkDb.close()
  egDb.close()
} finally {
  await pair.close()
  await rm(join(pair.dir), { recursive: true, force: true })
}
