/**
 * Trust layer rates (spec/20-trust-list.md, spec/21-operator-pki.md).
 * Usage: npx tsx bench/trust.ts [--seconds 2] [--operators 100]
 *
 * Builds a federation of N operators (Ed25519 throughout) and measures, each beside one raw
 * Ed25519 signature verification via WebCrypto in the same run, as a ratio:
 *   - peer chain validation through TrustStore.validatePeerChain: cold (cache disabled: parse,
 *     two signatures, profile and status checks) and cached (hash of the DER, status, CA
 *     retirement; no signature);
 *   - trust-list lookups (isActiveAt): warm, and cold (verify the signed list, check its CA
 *     certificates, open a store, one lookup: what a node pays on start or on a new list).
 */
import { generateKeyPair } from '../src/keys/index.js'
import { createCertificate } from '../src/x509/create.js'
import { TrustStore } from '../src/trust/trust-store.js'
import { createTrustList, verifyTrustList } from '../src/trust/trust-list.js'
import type { OperatorEntry } from '../src/trust/types.js'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback
  if (!Number.isFinite(v) || v <= 0) throw new TypeError(`--${name} must be a positive number`)
  return v
}

const SECONDS = arg('seconds', 2)
const OPERATORS = Math.floor(arg('operators', 100))
const NOW = 1_767_225_600

async function rate(fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 20; i++) await fn()
  let n = 0
  const t0 = performance.now()
  const end = t0 + SECONDS * 1000
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) await fn()
    n += 16
  }
  return n / ((performance.now() - t0) / 1000)
}

const start = new Date('2025-01-01T00:00:00Z')
const until = new Date('2026-12-31T00:00:00Z')
const governance = await generateKeyPair('Ed25519')
const rootKeys = await generateKeyPair('Ed25519')
const root = await createCertificate({
  role: 'federation-root',
  subjectName: { commonName: 'Bench Root' },
  publicKey: rootKeys.publicKey,
  privateKey: rootKeys.privateKey,
  issuer: 'self',
  notBefore: start,
  notAfter: new Date('2044-12-31T00:00:00Z'),
})
const operators: OperatorEntry[] = []
let node: Uint8Array = new Uint8Array()
for (let i = 0; i < OPERATORS; i++) {
  const id = `op${String(i).padStart(4, '0')}.example`
  const caKeys = await generateKeyPair('Ed25519')
  const ca = await createCertificate({
    role: 'operator-ca',
    subjectName: { commonName: `${id} CA` },
    publicKey: caKeys.publicKey,
    issuer: { certificate: root, privateKey: rootKeys.privateKey },
    operatorId: id,
    notBefore: start,
    notAfter: until,
  })
  if (i === 0) {
    const nodeKeys = await generateKeyPair('Ed25519')
    node = (
      await createCertificate({
        role: 'node',
        subjectName: { commonName: `node.${id}` },
        publicKey: nodeKeys.publicKey,
        issuer: { certificate: ca, privateKey: caKeys.privateKey },
        notBefore: start,
        notAfter: until,
      })
    ).der
  }
  operators.push({
    id,
    country: 'EG',
    names: { ar: 'بريد', da: 'Post', en: 'Post' },
    endpoints: [`https://${id}/`],
    schemes: [],
    cas: [{ cert: ca.der }],
    status: [{ state: 'active', from: NOW - 86_400 }],
  })
}
const bytes = await createTrustList(
  {
    federation: 'bench',
    sequence: 1,
    issued: NOW,
    nextUpdate: NOW + 86_400,
    roots: [root.der],
    operators,
  },
  governance,
)
const list = await verifyTrustList(bytes, { governanceKeys: [governance], now: NOW })
const first = operators[0]!.id
const last = operators[operators.length - 1]!.id

const message = new Uint8Array(256).fill(7)
const signature = new Uint8Array(
  await crypto.subtle.sign('Ed25519', governance.privateKey, message),
)
const rawVerify = await rate(() =>
  crypto.subtle.verify('Ed25519', governance.publicKey, signature, message),
)

const coldStore = await TrustStore.open(list, { now: () => NOW, cacheSize: 0 })
const cachedStore = await TrustStore.open(list, { now: () => NOW })
const chainCold = await rate(() => coldStore.validatePeerChain(node, { operator: first }))
const chainCached = await rate(() => cachedStore.validatePeerChain(node, { operator: first }))
const lookupWarm = await rate(() => cachedStore.isActiveAt(last, NOW))
const lookupCold = await rate(async () => {
  const fresh = await verifyTrustList(bytes, { governanceKeys: [governance], now: NOW })
  return (await TrustStore.open(fresh, { now: () => NOW })).isActiveAt(last, NOW)
})

const fmt = (x: number) => x.toFixed(0).padStart(10)
const ratio = (x: number) => `${(x / rawVerify).toFixed(3).padStart(9)} x raw verify rate`
console.log(`trust list of ${OPERATORS} operators, ${bytes.length} bytes`)
console.log(`baseline: raw Ed25519 verify (WebCrypto)            ${fmt(rawVerify)} /s`)
console.log(
  `validatePeerChain, cold (no cache)                  ${fmt(chainCold)} /s  ${ratio(chainCold)}`,
)
console.log(
  `validatePeerChain, cached                           ${fmt(chainCached)} /s  ${ratio(chainCached)}`,
)
console.log(
  `isActiveAt lookup, warm                             ${fmt(lookupWarm)} /s  ${ratio(lookupWarm)}`,
)
console.log(
  `verify list + check CAs + open store + lookup, cold ${fmt(lookupCold)} /s  ${ratio(lookupCold)}`,
)
console.log('(a cold chain validation verifies two signatures, so 0.5 is its ceiling; a cold list')
console.log(
  ` check verifies ${OPERATORS + 2} signatures: the list's, the root's and one per operator CA)`,
)
