// vectors/evidence-bundle.json against spec 21.7 and 16.8.
import { hex, publicJwk, toHex } from './cose.mjs'
import { assert, assertEqual, vectors } from './harness.mjs'
import { verifyBundle } from './bundle.mjs'
import { letterIdBytes } from './letter.mjs'
import { decode, encode } from './cbor.mjs'

// An entry too large to store gives a recipe: the valid bundle `base` with other revocations.
function bundleOf(j, v) {
  if (v.hex !== undefined) return hex(v.hex)
  const m = decode(hex(j.valid.find((e) => e.name === v.recipe.base).hex), {
    maxBytes: Infinity,
    maxItems: 1_000_000,
  })
  m.set(
    'revocations',
    v.recipe.revocations.map((r) => new Uint8Array(r.bytes).fill(parseInt(r.fill, 16))),
  )
  return encode(m)
}

export function checkEvidenceBundle(r) {
  const j = vectors('evidence-bundle.json')
  const opts = {
    trustList: hex(j.trustList),
    governanceKeys: j.governanceKeys.map(publicJwk),
    now: j.now,
  }
  for (const v of j.valid)
    r.check(`evidence bundle ${v.name}`, () => {
      const out = verifyBundle(hex(v.hex), { ...opts, now: v.now ?? j.now })
      assertEqual(out.revocation, v.revocation, 'revocation')
      assertEqual(out.records, v.records, 'records')
      assertEqual(out.log, v.log ?? [], 'log')
      assertEqual(out.retiredKeys, v.retiredKeys ?? [], 'retired-keys')
      assertEqual(toHex(out.letter.id), toHex(letterIdBytes(j.letter.id)), 'letter id')
      assertEqual(toHex(out.letter.digest), j.letter.digest, 'letter digest')
      for (const c of out.certs)
        assert(Object.values(j.certificates).includes(c), 'a certificate the file gives')
    })
  for (const v of j.invalid)
    r.refuses(`evidence bundle invalid: ${v.name}`, v.reason, () =>
      verifyBundle(bundleOf(j, v), { ...opts, now: v.now ?? j.now }),
    )
}
