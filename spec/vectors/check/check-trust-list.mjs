// vectors/trust-list.json against spec 20 (trust lists), 21.3 (binding), 21.6.1 (revocation
// lists) and 22.3 (discovery documents).
import { fail } from './cbor.mjs'
import { b64u, hex, kidOf, publicJwk, sha256, toHex } from './cose.mjs'
import { assert, assertEqual, vectors } from './harness.mjs'
import {
  speaksFor,
  stateAt,
  verifyDiscovery,
  verifyRevocationList,
  verifyTrustList,
} from './trust.mjs'

export function checkTrustList(r) {
  const j = vectors('trust-list.json')
  r.check('trust list: every test key is the one its seed gives', () => {
    for (const [name, k] of Object.entries(j.keys))
      assertEqual(k.d, b64u(sha256(Buffer.from(`barid test key: ${name}`))), name)
  })
  const bootstrap = [publicJwk(j.keys.governance)]
  const byName = new Map([...j.valid, ...j.invalid].map((v) => [v.name, v]))
  const verified = new Map()
  // A held list is a valid entry, verified with its own held list first.
  const verify = (v) => {
    const held = v.held === undefined ? null : heldList(v.held)
    return verifyTrustList(hex(v.hex), { bootstrap, held, now: v.now ?? j.now })
  }
  const heldList = (name) => {
    if (!verified.has(name)) verified.set(name, verify(byName.get(name)))
    return verified.get(name)
  }
  for (const v of j.valid)
    r.check(`trust list ${v.name}`, () => {
      const l = heldList(v.name)
      assertEqual(l.seq, v.sequence, 'seq')
      if (v.operators) assertEqual(l.operators.map((o) => o.id), v.operators, 'operators')
      if (v.rollover !== undefined)
        assertEqual(b64u(kidOf(l.rollover ?? fail('VECTOR', 'no rollover'))), v.rollover, 'rollover')
      if (v.signer !== undefined) assertEqual(b64u(l.signerKid), v.signer, 'signer')
      for (const s of v.status ?? [])
        assertEqual(stateAt(l, s.operator, s.at), s.state, `${s.operator} at ${s.at}`)
    })
  for (const v of j.invalid)
    r.refuses(`trust list invalid: ${v.name}`, v.reason, () => verify(v))
  const base = () => heldList('base')
  r.check('trust list: the certificates given are those of the list', () => {
    const l = base()
    const ders = [...l.roots, ...l.operators.flatMap((o) => o.cas.map((e) => e.cert))].map((c) =>
      toHex(c.der),
    )
    for (const n of ['root', 'post.eg-ca', 'digitalpost.dk-ca'])
      assert(ders.includes(j.certificates[n]), `${n} is in the list`)
  })
  for (const p of j.valid.find((v) => v.name === 'base').peers ?? []) {
    const name = `trust list peer ${p.certificate} for ${p.operator} as ${p.role} at ${p.at}`
    const run = () => speaksFor(base(), hex(j.certificates[p.certificate]), p.operator, p.at, p.role)
    if (p.reason) r.refuses(name, p.reason, run)
    else r.check(name, run)
  }
  const d = j.discovery
  for (const v of d.valid)
    r.check(`discovery document of ${d.operator} at ${v.now}`, () => {
      const doc = verifyDiscovery(hex(d.hex), heldList(d.list), v.operator ?? d.operator, v.now)
      assert(doc.keys.length >= 1, 'keys')
    })
  for (const v of d.invalid) {
    const operator = v.operator ?? d.operator
    r.refuses(`discovery document ${v.name}, at ${v.now} for ${operator}`, v.reason, () =>
      verifyDiscovery(hex(v.hex ?? d.hex), heldList(d.list), operator, v.now),
    )
  }
  const rl = j.revocations
  r.check(`revocation list of ${rl.operator}`, () => {
    const l = verifyRevocationList(hex(rl.hex), base(), rl.operator)
    assertEqual(
      l.revoked.map((e) => ({ serial: e.serial, at: e.at })),
      rl.revoked,
      'revoked',
    )
  })
  for (const v of rl.invalid)
    r.refuses(`revocation list read for ${v.operator}`, v.reason, () =>
      verifyRevocationList(hex(rl.hex), base(), v.operator),
    )
}
