/**
 * The evidence benchmark (`npx tsx bench/evidence.ts [records]`): evidence records issued and
 * verified per second, transparency-log appends per second through the node's SQLite store (the
 * evidence feed, batches of 1,000, a checkpoint signed per batch), and inclusion and consistency
 * proofs per second, each beside a raw Ed25519 signature in the same run. The log must keep up
 * with the node benchmark's 2,500 letters per second, about three records each (submission,
 * relay, delivery), with headroom: the target is 7,500 records per second.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, newLetterId, toHex } from '../src/core.js'
import { createCoreEvidence } from '../src/evidence/core-evidence.js'
import { createSqliteStorage } from '../src/storage/sqlite-storage.js'
import type { EvidenceRow } from '../src/storage/types.js'
import { nodeSha256, openEvidenceLog } from '../src/transparency/evidence-log.js'

const N = Number(process.argv[2] ?? 20_000)
const TARGET = 7_500

async function rate(
  count: number,
  f: (i: number) => Promise<unknown>,
  concurrency = 32,
): Promise<number> {
  const t0 = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await f(next++)
    }),
  )
  return (count / (performance.now() - t0)) * 1000
}

const fmt = (v: number) => Math.round(v).toLocaleString('en-US').padStart(9)

async function main(): Promise<void> {
  const key = await generateKeyPair('Ed25519')
  const evidence = createCoreEvidence({ operator: 'digitalpost.dk', key })
  const payload = new Uint8Array(300).fill(7)
  const signs = Math.min(N, 5000)
  const raw = await rate(signs, () => crypto.subtle.sign('Ed25519', key.privateKey, payload))

  const letterId = newLetterId()
  const digest = 'ab'.repeat(32)
  const records: Uint8Array[] = []
  const issued = await rate(signs, async (i) => {
    const r = await evidence.create({
      type: 'delivered',
      letterId,
      letterDigest: digest,
      recipient: 'lars.jensen@digitalpost.dk',
      time: 1_800_000_000_000 + i,
    })
    records.push(r.record)
  })
  const resolve = async () => ({ key: key.publicKey, issuer: 'digitalpost.dk', retiredAt: null })
  const verified = await rate(signs, (i) => evidence.verify(records[i % records.length]!, resolve))

  // The log, as the node runs it: records in the evidence table, read by the feed in batches.
  const dir = await mkdtemp(join(tmpdir(), 'barid-bench-evidence-'))
  try {
    const storage = createSqliteStorage({ file: join(dir, 'node.db'), synchronous: 'full' })
    const rows: EvidenceRow[] = Array.from({ length: N }, (_, i) => {
      const record = records[i % records.length]!.slice()
      record[record.length - 1] = i & 0xff // distinct leaves; their bytes need not verify here
      record[record.length - 2] = (i >> 8) & 0xff
      record[record.length - 3] = (i >> 16) & 0xff
      return {
        id: toHex(nodeSha256(record)),
        letterId,
        recipient: null,
        type: 'delivered',
        issuer: 'digitalpost.dk',
        issuedAt: i,
        prev: null,
        record,
      }
    })
    for (let i = 0; i < rows.length; i += 5000) await storage.addEvidence(rows.slice(i, i + 5000))
    const svc = {
      storage,
      keys: { evidence: key } as never,
      directory: { self: 'digitalpost.dk' } as never,
      now: Date.now,
    }
    const log = await openEvidenceLog(svc, { maxBatch: 1000 })
    const t0 = performance.now()
    while ((await log.step()) > 0);
    const appends = (N / (performance.now() - t0)) * 1000
    const ids = rows.map((r) => r.id)
    const inclusion = await rate(Math.min(N, 5000), (i) => log.inclusion(ids[(i * 7919) % N]!), 1)
    const consistency = await rate(
      Math.min(N, 5000),
      (i) => log.consistency(1 + ((i * 7919) % (N - 1)), N),
      1,
    )
    await storage.close()

    console.log(
      `Evidence benchmark: ${N.toLocaleString('en-US')} records, Ed25519, SQLite synchronous=FULL`,
    )
    console.log(`  raw Ed25519 signature       ${fmt(raw)} /s   1.00x (baseline)`)
    for (const [name, v] of [
      ['evidence records issued', issued],
      ['evidence records verified', verified],
      ['log appends (feed + commit)', appends],
      ['inclusion proofs', inclusion],
      ['consistency proofs', consistency],
    ] as const)
      console.log(`  ${name.padEnd(27)} ${fmt(v)} /s   ${(v / raw).toFixed(2)}x`)
    const verdict = appends >= TARGET ? 'PASS' : 'MISS'
    console.log(
      `  log target ${TARGET.toLocaleString('en-US')} records/s (2,500 letters/s x 3): ${verdict}, headroom ${(appends / TARGET).toFixed(1)}x`,
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
