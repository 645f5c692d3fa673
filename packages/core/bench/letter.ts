/**
 * Sealed letter throughput (spec/05-sealed-letter.md).
 * Usage: npx tsx bench/letter.ts [--seconds 2]
 *
 * Seals and opens a 2 KiB letter from an Ed25519 sender to 1 and to 10 recipients (X25519 keys;
 * the sender's own key makes 2 and 11 COSE recipients). Beside each figure, the same run times
 * the raw WebCrypto primitives, with the same concurrency:
 *   seal: per COSE recipient an ephemeral key pair, ECDH, HKDF, AES-KW wrap; one AES-GCM
 *         encryption; one Ed25519 signature;
 *   open: one Ed25519 verification; import of the ephemeral key, ECDH, HKDF, AES-KW unwrap;
 *         one AES-GCM decryption;
 * and prints raw / library as a ratio (target <= 1.5). "raw+format" adds the WebCrypto calls the
 * format requires beyond that list (ephemeral public key export, key-commitment hash and letter
 * digest on seal; CEK export and commitment hash on open): its ratio is the library's own
 * overhead. Inspect is compared with one Ed25519 verification plus the letter digest: first all
 * through WebCrypto, then as a Node server runs it (`verifier` and `sha256` injected: Node's
 * synchronous crypto.verify and createHash, against the same two calls raw). `--only inspect`
 * skips seal and open. Rates are the best of 8 alternating slices, as other processes may share
 * the CPUs; the load average is printed before and after.
 */
import {
  inspectLetter,
  letterDigest,
  openLetter,
  sealLetter,
  type SealLetterOptions,
} from '../src/letter/index.js'
import { kdfContext } from '../src/cose/kdf.js'
import { createHash, KeyObject, verify } from 'node:crypto'
import { loadavg } from 'node:os'

const secondsArg = process.argv.indexOf('--seconds')
const SECONDS = secondsArg >= 0 ? Number(process.argv[secondsArg + 1]) : 2
const onlyArg = process.argv.indexOf('--only')
const ONLY = onlyArg >= 0 ? process.argv[onlyArg + 1] : undefined
const subtle = crypto.subtle
type Bytes = Uint8Array<ArrayBuffer>

async function kidOf(publicKey: CryptoKey): Promise<Uint8Array> {
  // Any 32 bytes serve as kids here; the thumbprint itself is not what is measured.
  return new Uint8Array(await subtle.digest('SHA-256', await subtle.exportKey('raw', publicKey)))
}

async function x25519(): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; kid: Uint8Array }> {
  const p = (await subtle.generateKey({ name: 'X25519' }, false, [
    'deriveBits',
    'deriveKey',
  ])) as CryptoKeyPair
  return { ...p, kid: await kidOf(p.publicKey) }
}

/** Ops per second of `fn` over `ms` milliseconds. */
async function rate(fn: () => Promise<unknown>, ms: number): Promise<number> {
  let n = 0
  const t0 = performance.now()
  const end = t0 + ms
  while (performance.now() < end) {
    await fn()
    n++
  }
  return n / ((performance.now() - t0) / 1000)
}

/** Rates of each function, measured in alternating slices; each figure is its best slice. */
async function compare(...fns: (() => Promise<unknown>)[]): Promise<number[]> {
  for (const f of fns) await rate(f, 300) // warm-up: JIT and WebCrypto thread pool
  const best = fns.map(() => 0)
  const slices = 8
  for (let i = 0; i < slices; i++) {
    for (const [j, f] of fns.entries())
      best[j] = Math.max(best[j]!, await rate(f, (SECONDS * 1000) / slices))
  }
  return best
}

const signing = (await subtle.generateKey({ name: 'Ed25519' }, false, [
  'sign',
  'verify',
])) as CryptoKeyPair
const signingKid = await kidOf(signing.publicKey)
const own = await x25519()
const recipients = await Promise.all(Array.from({ length: 10 }, () => x25519()))
const body = crypto.getRandomValues(new Uint8Array(2048))
const resolveSenderKey = async (): Promise<CryptoKey> => signing.publicKey
const context = kdfContext({
  algorithmId: -5,
  keyDataLength: 256,
  protectedBytes: Uint8Array.of(0xa1, 0x01, 0x38, 0x1e),
})
const hkdf = { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: context as Bytes }
const aad = new Uint8Array(600) // about the size of the Enc_structure a letter authenticates

function options(n: number): SealLetterOptions {
  return {
    sender: {
      address: 'skat@digitalpost.dk',
      signingKey: signing.privateKey,
      kid: signingKid,
      encryptionKey: { publicKey: own.publicKey, kid: own.kid },
    },
    recipients: recipients.slice(0, n).map((r, i) => ({
      address: `citizen${i}@post.eg`,
      keys: [{ publicKey: r.publicKey, kid: r.kid }],
    })),
    contentType: 'text/plain; charset=utf-8',
    lang: 'da',
    subject: 'Benchmark',
    body,
  }
}

/** The primitives of sealing through WebCrypto; with `format`, also the calls the format adds. */
async function rawSeal(keys: readonly CryptoKey[], format: boolean): Promise<void> {
  const cekBytes = crypto.getRandomValues(new Uint8Array(32))
  const [cek] = await Promise.all([
    subtle.importKey('raw', cekBytes, 'AES-GCM', true, ['encrypt']),
    format ? subtle.digest('SHA-256', cekBytes) : undefined,
  ])
  const wrapAll = Promise.all(
    keys.map(async (pub) => {
      const eph = (await subtle.generateKey({ name: 'X25519' }, false, [
        'deriveKey',
      ])) as CryptoKeyPair
      const [secret] = await Promise.all([
        subtle.deriveKey({ name: 'X25519', public: pub }, eph.privateKey, 'HKDF', false, [
          'deriveKey',
        ]),
        format ? subtle.exportKey('raw', eph.publicKey) : undefined,
      ])
      const kek = await subtle.deriveKey(hkdf, secret, { name: 'AES-KW', length: 256 }, false, [
        'wrapKey',
      ])
      await subtle.wrapKey('raw', cek, kek, 'AES-KW')
    }),
  )
  const [, ct] = await Promise.all([
    wrapAll,
    subtle.encrypt(
      { name: 'AES-GCM', iv: crypto.getRandomValues(new Uint8Array(12)), additionalData: aad },
      cek,
      body,
    ),
  ])
  const sig = await subtle.sign('Ed25519', signing.privateKey, ct)
  if (format) await subtle.digest('SHA-256', sig)
}

interface OpenFixture {
  letter: Bytes
  signature: ArrayBuffer
  epk: Bytes
  wrapped: ArrayBuffer
  iv: Bytes
  ct: ArrayBuffer
}

/** The primitives of opening through WebCrypto; with `format`, also the CEK export and commitment hash. */
async function rawOpen(f: OpenFixture, format: boolean): Promise<void> {
  await subtle.verify('Ed25519', signing.publicKey, f.signature, f.letter)
  const epk = await subtle.importKey('raw', f.epk, { name: 'X25519' }, false, [])
  const secret = await subtle.deriveKey(
    { name: 'X25519', public: epk },
    recipients[0]!.privateKey,
    'HKDF',
    false,
    ['deriveKey'],
  )
  const kek = await subtle.deriveKey(hkdf, secret, { name: 'AES-KW', length: 256 }, false, [
    'unwrapKey',
  ])
  const cek = await subtle.unwrapKey('raw', f.wrapped, kek, 'AES-KW', 'AES-GCM', format, [
    'decrypt',
  ])
  const raw = format ? await subtle.exportKey('raw', cek) : undefined
  await Promise.all([
    subtle.decrypt({ name: 'AES-GCM', iv: f.iv, additionalData: aad }, cek, f.ct),
    raw === undefined ? undefined : subtle.digest('SHA-256', raw),
  ])
}

async function openFixture(letter: Bytes): Promise<OpenFixture> {
  const eph = (await subtle.generateKey({ name: 'X25519' }, true, ['deriveKey'])) as CryptoKeyPair
  const cek = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt'])
  const secret = await subtle.deriveKey(
    { name: 'X25519', public: recipients[0]!.publicKey },
    eph.privateKey,
    'HKDF',
    false,
    ['deriveKey'],
  )
  const kek = await subtle.deriveKey(hkdf, secret, { name: 'AES-KW', length: 256 }, false, [
    'wrapKey',
  ])
  const iv = crypto.getRandomValues(new Uint8Array(12))
  return {
    letter,
    signature: await subtle.sign('Ed25519', signing.privateKey, letter),
    epk: new Uint8Array(await subtle.exportKey('raw', eph.publicKey)),
    wrapped: await subtle.wrapKey('raw', cek, kek, 'AES-KW'),
    iv,
    ct: await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, cek, body),
  }
}

function row(label: string, [lib, raw, rawPlus]: number[]): void {
  const ratio = raw! / lib!
  const plus =
    rawPlus === undefined
      ? ''
      : `   raw+format ${rawPlus.toFixed(0).padStart(6)} ops/s (ratio ${(rawPlus / lib!).toFixed(2)})`
  const flag = ratio <= 1.5 ? '' : ' (over 1.5)'
  console.log(
    `${label.padEnd(40)} ${lib!.toFixed(0).padStart(6)} ops/s   raw ${raw!.toFixed(0).padStart(6)} ops/s (ratio ${ratio.toFixed(2)}${flag})${plus}`,
  )
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
console.log(`sealed letter, 2 KiB body, Ed25519 sender, X25519 recipients, ${SECONDS}s per figure`)
console.log(`load average ${load()}`)
// A Node server's injected primitives (nodes/node/src/letters/core-letters.ts does the same).
const signingKeyObject = KeyObject.from(signing.publicKey)
const nodeSha256 = (b: Uint8Array): Uint8Array => createHash('sha256').update(b).digest()
// The sender signs with Ed25519 here, so the verifier only ever sees EdDSA.
const nodeVerify = (_alg: string, _key: CryptoKey, data: Uint8Array, sig: Uint8Array): boolean =>
  verify(null, data, signingKeyObject, sig)
for (const n of [1, 10]) {
  const o = options(n)
  const keys = [...recipients.slice(0, n).map((r) => r.publicKey), own.publicKey]
  const label = `${n} recipient${n > 1 ? 's' : ''}`
  if (ONLY === undefined || ONLY === 'seal')
    row(
      `seal, ${label}`,
      await compare(
        () => sealLetter(o),
        () => rawSeal(keys, false),
        () => rawSeal(keys, true),
      ),
    )

  const sealed = await sealLetter(o)
  const r = recipients[0]!
  const fixture = await openFixture(sealed.bytes as Bytes)
  const open = () =>
    openLetter(sealed.bytes, { key: { privateKey: r.privateKey, kid: r.kid }, resolveSenderKey })
  if (ONLY === undefined || ONLY === 'open')
    row(
      `open, ${label} (${sealed.bytes.length} B)`,
      await compare(
        open,
        () => rawOpen(fixture, false),
        () => rawOpen(fixture, true),
      ),
    )

  if (ONLY !== undefined && ONLY !== 'inspect') continue
  const inspect = () => inspectLetter(sealed.bytes, { resolveSenderKey })
  const rawInspect = async () => {
    await subtle.verify('Ed25519', signing.publicKey, fixture.signature, fixture.letter)
    await letterDigest(sealed.bytes)
  }
  row(`inspect (operator), ${label}`, await compare(inspect, rawInspect))
  const signature = new Uint8Array(fixture.signature)
  const inspectNode = () =>
    inspectLetter(sealed.bytes, { resolveSenderKey, sha256: nodeSha256, verifier: nodeVerify })
  const rawNode = async () => {
    verify(null, sealed.bytes, signingKeyObject, signature)
    nodeSha256(sealed.bytes)
  }
  row(`inspect (node primitives), ${label}`, await compare(inspectNode, rawNode))
}
console.log(`load average ${load()}`)
