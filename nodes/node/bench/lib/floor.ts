/**
 * @module bench/lib/floor
 * The raw per-letter floor the end-to-end figures are compared with, measured in the same run:
 * one Ed25519 verification (WebCrypto, as the node verifies) and one SQLite insert of the
 * letter's bytes in its own transaction, into a file with the node's pragmas (WAL, the same
 * `synchronous`, foreign keys on).
 */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { generateKeyPair } from '../../src/core.js'

/**
 * Milliseconds per letter for `n` letters of `size` bytes.
 *
 * @example
 * ```ts
 * const ms = await rawFloor({ dir: tmp, n: 5000, size: 1400, synchronous: 'normal' })
 * ```
 */
export async function rawFloor(o: {
  dir: string
  n: number
  size: number
  synchronous: 'full' | 'normal'
}): Promise<{ msPerLetter: number; verifyMs: number; insertMs: number }> {
  const k = await generateKeyPair('Ed25519')
  const msg = crypto.getRandomValues(new Uint8Array(o.size))
  const sig = new Uint8Array(await crypto.subtle.sign('Ed25519', k.privateKey, msg))
  const db = new Database(join(o.dir, `floor-${Date.now()}.db`))
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${o.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
  db.pragma('foreign_keys = ON')
  db.exec('create table t (id text primary key, received_at integer not null, bytes blob)')
  const ins = db.prepare('insert into t (id, received_at, bytes) values (?, ?, ?)')
  const bytes = Buffer.from(msg)
  let verify = 0
  let insert = 0
  for (let i = 0; i < o.n; i++) {
    const a = performance.now()
    if (!(await crypto.subtle.verify('Ed25519', k.publicKey, sig, msg)))
      throw new Error('floor: signature did not verify')
    const b = performance.now()
    ins.run(`0190f6a2-0000-7000-8000-${String(i).padStart(12, '0')}`, Date.now(), bytes)
    insert += performance.now() - b
    verify += b - a
  }
  db.close()
  return { msPerLetter: (verify + insert) / o.n, verifyMs: verify / o.n, insertMs: insert / o.n }
}
