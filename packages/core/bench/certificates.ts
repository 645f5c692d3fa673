/**
 * Certificate chain validation rate (spec/08-keys-and-certificates.md section 5).
 * Usage: npx tsx bench/certificates.ts [--seconds 2]
 *
 * Validates the fixture chain mailbox-signing -> operator CA -> federation root (Ed25519
 * throughout) two ways: cold (DER in, so every run parses three certificates and imports their
 * keys) and warm (parsed views reused, so imported keys are cached and only the two signature
 * checks and the rule checks remain). Each rate is printed beside one raw Ed25519 signature
 * verification via WebCrypto measured in the same run, as a ratio: a warm validation costs at
 * least two verifications.
 */
import { FIXTURE_TIME, makeFixturePki } from '../src/x509/fixtures.js'
import { validateChain } from '../src/x509/index.js'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback
  if (!Number.isFinite(v) || v <= 0) throw new TypeError(`--${name} must be a positive number`)
  return v
}

const SECONDS = arg('seconds', 2)

/** Runs `fn` repeatedly for about `SECONDS`; returns operations per second. */
async function rate(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await fn() // warm-up: JIT and caches
  let n = 0
  const t0 = performance.now()
  const end = t0 + SECONDS * 1000
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) await fn()
    n += 20
  }
  return n / ((performance.now() - t0) / 1000)
}

const pki = await makeFixturePki()
const at = FIXTURE_TIME.at
const leafDer = pki.mailboxSigning.der.slice()
const caDer = pki.operatorCa.der.slice()
const rootDer = pki.root.der.slice()

const message = pki.mailboxSigning.tbs as Uint8Array<ArrayBuffer>
const signature = new Uint8Array(
  await crypto.subtle.sign('Ed25519', pki.keys.sender.privateKey, message),
) as Uint8Array<ArrayBuffer>
const verifyKey = pki.keys.sender.publicKey

const rawVerify = await rate(() => crypto.subtle.verify('Ed25519', verifyKey, signature, message))
const cold = await rate(() =>
  validateChain({
    leaf: leafDer,
    intermediates: [caDer],
    anchors: [rootDer],
    role: 'mailbox-signing',
    at,
  }),
)
const warm = await rate(() =>
  validateChain({
    leaf: pki.mailboxSigning,
    intermediates: [pki.operatorCa],
    anchors: [pki.root],
    role: 'mailbox-signing',
    at,
  }),
)

const fmt = (x: number) => x.toFixed(0).padStart(9)
const ratio = (x: number) => `ratio to raw verify ${(x / rawVerify).toFixed(3)}`
console.log(`baseline: raw Ed25519 verify (WebCrypto)  ${fmt(rawVerify)} /s`)
console.log(`validateChain, cold (parse + validate)     ${fmt(cold)} /s   ${ratio(cold)}`)
console.log(`validateChain, warm (parsed views reused)  ${fmt(warm)} /s   ${ratio(warm)}`)
console.log('(a warm validation verifies two signatures, so 0.5 is the ceiling)')
