/**
 * Evidence record issuance and verification (spec/07-evidence.md).
 * Usage: npx tsx bench/evidence.ts [--seconds 2] [--concurrency 64]
 *
 * Issues `relay-accepted` records (a recipient, a `prev`: the common shape, ~300 bytes) with
 * `createEvidence`, and verifies them with `verifyEvidence`, one at a time and N at a time
 * (`Promise.all`: WebCrypto signs and verifies on libuv's thread pool, so concurrent calls
 * overlap). Beside each, the same run times the raw primitive it cannot avoid: one Ed25519
 * WebCrypto sign (or verify) of a message of the same size, at the same concurrency. The ratio
 * is records per raw signature's worth of time (1.00 would mean the record costs nothing but its
 * signature). The node needs 2,500 letters/s at about 3 records each: well over 7,500 records/s.
 * Each is measured twice: with the default WebCrypto SHA-256 for the record's digest, and with
 * the synchronous node:crypto SHA-256 injected (`sha256` option), as the reference node runs it.
 * Rates are the best of 8 alternating slices, as other processes may share the CPUs.
 */
import { hash } from 'node:crypto'
import { createEvidence } from '../src/evidence/create.js'
import { verifyEvidence } from '../src/evidence/verify.js'

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : dflt
}
const SECONDS = arg('--seconds', 2)
const N = arg('--concurrency', 64)
const subtle = crypto.subtle

/** Operations per second of `fn` (each call doing `per` operations) over `ms` milliseconds. */
async function rate(fn: () => Promise<unknown>, ms: number, per: number): Promise<number> {
  let n = 0
  const t0 = performance.now()
  const end = t0 + ms
  while (performance.now() < end) {
    await fn()
    n += per
  }
  return n / ((performance.now() - t0) / 1000)
}

/** Rates of each function, measured in alternating slices; each figure is its best slice. */
async function compare(per: number, ...fns: (() => Promise<unknown>)[]): Promise<number[]> {
  for (let i = 0; i < 3; i++) for (const f of fns) await f()
  const best = fns.map(() => 0)
  const slices = 8
  for (let i = 0; i < slices; i++) {
    for (const [j, f] of fns.entries())
      best[j] = Math.max(best[j]!, await rate(f, (SECONDS * 1000) / slices / 2, per))
  }
  return best
}

const times = <T>(n: number, f: () => Promise<T>) => Promise.all(Array.from({ length: n }, f))

const ed = (await subtle.generateKey({ name: 'Ed25519' }, false, [
  'sign',
  'verify',
])) as CryptoKeyPair
const kid = new Uint8Array(await subtle.digest('SHA-256', new Uint8Array([1])))
const key = { privateKey: ed.privateKey, kid }
const letterDigest = new Uint8Array(32).fill(7)
const prev = new Uint8Array(32).fill(9)
const nodeSha256 = (d: Uint8Array) => hash('sha256', d, 'buffer') as Uint8Array
let t = 1_800_000_000_000
const issueWith = (sha256?: typeof nodeSha256) =>
  createEvidence({
    type: 'relay-accepted',
    letterId: '01920000-0000-7000-8000-000000000001',
    letterDigest,
    issuer: 'digitalpost.dk',
    recipient: 'lars.jensen@digitalpost.dk',
    prev,
    time: t++,
    key,
    ...(sha256 ? { sha256 } : {}),
  })
const issue = () => issueWith()
const issueNode = () => issueWith(nodeSha256)

const sample = await issue()
const message = new Uint8Array(sample.bytes.length).fill(3)
const rawSig = new Uint8Array(await subtle.sign('Ed25519', ed.privateKey, message))
const resolveKey = async () => ({ key: ed.publicKey, issuer: 'digitalpost.dk' })
const verify = () => verifyEvidence(sample.bytes, { resolveKey })
const verifyNode = () => verifyEvidence(sample.bytes, { resolveKey, sha256: nodeSha256 })
const sign = () => subtle.sign('Ed25519', ed.privateKey, message)
const rawVerify = () => subtle.verify('Ed25519', ed.publicKey, rawSig, message)

const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(10)
const ratio = (x: number) => x.toFixed(2).padStart(6)
const line = (what: string, got: number, base: string, raw: number) =>
  console.log(
    `${what.padEnd(38)} ${fmt(got)}/s   ${base.padEnd(22)} ${fmt(raw)}/s` +
      `  ratio ${ratio(got / raw)}`,
  )

console.log(`record ${sample.bytes.length} bytes; ${SECONDS} s per figure pair; concurrency ${N}`)
const all = (f: () => Promise<unknown>) => () => times(N, f)
const [i1, n1, s1] = await compare(1, issue, issueNode, sign)
line('issue, 1 at a time', i1!, 'raw Ed25519 sign', s1!)
line('issue (node SHA-256), 1 at a time', n1!, 'raw Ed25519 sign', s1!)
const [iN, nN, sN] = await compare(N, all(issue), all(issueNode), all(sign))
line(`issue, ${N} at a time`, iN!, `raw sign, ${N} at a time`, sN!)
line(`issue (node SHA-256), ${N} at a time`, nN!, `raw sign, ${N} at a time`, sN!)
const [v1, w1, r1] = await compare(1, verify, verifyNode, rawVerify)
line('verify, 1 at a time', v1!, 'raw Ed25519 verify', r1!)
line('verify (node SHA-256), 1 at a time', w1!, 'raw Ed25519 verify', r1!)
const [vN, wN, rN] = await compare(N, all(verify), all(verifyNode), all(rawVerify))
line(`verify, ${N} at a time`, vN!, `raw verify, ${N} at a time`, rN!)
line(`verify (node SHA-256), ${N} at a time`, wN!, `raw verify, ${N} at a time`, rN!)
const best = Math.max(i1!, n1!, iN!, nN!)
console.log(`target: over 7,500 records/s issued (2,500 letters/s x 3); best: ${fmt(best)}/s`)
