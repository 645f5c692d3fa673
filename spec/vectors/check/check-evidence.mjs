// vectors/evidence.json against spec 07.
import { encode as encodeCbor, fail } from './cbor.mjs'
import { hex, publicJwk, toHex, kidOf } from './cose.mjs'
import { assertEqual, vectors } from './harness.mjs'
import { createEvidence, verifyChain, verifyEvidence } from './evidence.mjs'
import { letterIdBytes } from './letter.mjs'

// The vector's "record" uses descriptive names for two wire keys of 7.2.
const WIRE = { letterId: 'letter', letterDigest: 'digest' }
function wirePayload(r) {
  const m = new Map()
  for (const [k, v] of Object.entries(r)) {
    const w = WIRE[k] ?? k
    if (w === 'letter') m.set(w, letterIdBytes(v))
    else if (w === 'digest' || (w === 'prev' && v !== null)) m.set(w, hex(v))
    else m.set(w, v)
  }
  return m
}

export function checkEvidence(r) {
  const j = vectors('evidence.json')
  const keyByKid = new Map(j.keys.map((k) => [k.kid, k.jwk]))
  r.check('evidence: every kid is the RFC 7638 thumbprint of its key', () => {
    for (const k of j.keys) assertEqual(toHex(kidOf(k.jwk)), k.kid, k.name)
  })
  const resolve = (kid) => {
    const t = j.trustList.find((e) => e.kid === toHex(kid))
    if (!t) fail('ERR_KEY_NOT_FOUND')
    return { jwk: publicJwk(keyByKid.get(t.kid)), issuer: t.issuer }
  }
  for (const [i, rec] of j.records.entries()) {
    const name = `evidence record ${i} (${rec.alg} ${rec.record.type})`
    r.check(`${name} verifies, digest and payload match`, () => {
      const { payload, digest, kid } = verifyEvidence(hex(rec.bytes), resolve)
      assertEqual(toHex(kid), rec.kid, 'kid')
      assertEqual(toHex(digest), rec.digest, 'digest')
      // Signing the payload again gives the record byte for byte with Ed25519 (deterministic);
      // an ES256 signature is randomised, so every byte but the last 64 (verified above).
      const signer = keyByKid.get(rec.kid)
      const unsigned = rec.alg === 'ES256' ? (h) => h.slice(0, -128) : (h) => h
      const encode = (payloadMap) => unsigned(toHex(createEvidence(signer, payloadMap)))
      assertEqual(
        encode(payload),
        unsigned(rec.bytes),
        'record reproduced from its decoded payload',
      )
      assertEqual(
        encode(wirePayload(rec.record)),
        unsigned(rec.bytes),
        'record reproduced from the vector record',
      )
      if (rec.payload === undefined) fail('VECTOR', 'no payload')
      assertEqual(toHex(encodeCbor(wirePayload(rec.record))), rec.payload, 'the signed payload')
    })
  }
  for (const c of j.chains)
    r.check(`evidence chain ${c.name}`, () => verifyChain(c.records.map(hex), resolve))
  for (const c of j.invalidRecords)
    r.refuses(`evidence invalid record ${c.name}`, c.reason, () =>
      verifyEvidence(hex(c.bytes), resolve),
    )
  for (const c of j.invalidChains)
    r.refuses(`evidence invalid chain ${c.name}`, c.reason, () =>
      verifyChain(c.records.map(hex), resolve),
    )
}
