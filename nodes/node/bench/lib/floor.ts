/**
 * @module bench/lib/floor
 * The raw per-letter floor the end-to-end figures are compared with, measured in the same run:
 * one signature verification with the sender's algorithm (node:crypto's synchronous one-shot
 * verify with a prepared key, as the node checks a letter's signature: letters/core-letters.ts)
 * and one SQLite insert of the
 * letter's bytes in its own transaction, into a file with the node's pragmas (WAL, the same
 * `synchronous`, foreign keys on).
 */
import Database from 'better-sqlite3'
import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { join } from 'node:path'

/**
 * Milliseconds per letter for `n` letters of `size` bytes.
 *
 * @example
 * ```ts
 * const ms = await rawFloor({ dir: tmp, n: 5000, size: 1400, synchronous: 'normal', alg: 'ES256' })
 * ```
 */
export async function rawFloor(o: {
  dir: string
  n: number
  size: number
  synchronous: 'full' | 'normal'
  alg: 'Ed25519' | 'ES256'
}): Promise<{ msPerLetter: number; verifyMs: number; insertMs: number }> {
  const ec = o.alg === 'ES256'
  const k = ec
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('ed25519')
  const digest = ec ? 'sha256' : null
  const pub = { key: k.publicKey, dsaEncoding: 'ieee-p1363' } as const
  const msg = crypto.getRandomValues(new Uint8Array(o.size))
  const sig = sign(digest, msg, { key: k.privateKey, dsaEncoding: 'ieee-p1363' })
  const db = new Database(join(o.dir, `floor-${Date.now()}.db`))
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${o.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
  db.pragma('foreign_keys = ON')
  db.exec('create table t (id text primary key, received_at integer not null, bytes blob)')
  const ins = db.prepare('insert into t (id, received_at, bytes) values (?, ?, ?)')
  const bytes = Buffer.from(msg)
  let verifying = 0
  let inserting = 0
  for (let i = 0; i < o.n; i++) {
    const a = performance.now()
    if (!verify(digest, msg, pub, sig)) throw new Error('floor: signature did not verify')
    const b = performance.now()
    ins.run(`0190f6a2-0000-7000-8000-${String(i).padStart(12, '0')}`, Date.now(), bytes)
    inserting += performance.now() - b
    verifying += b - a
  }
  db.close()
  return {
    msPerLetter: (verifying + inserting) / o.n,
    verifyMs: verifying / o.n,
    insertMs: inserting / o.n,
  }
}
