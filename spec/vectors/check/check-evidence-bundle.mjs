// vectors/evidence-bundle.json against spec 21.7 and 16.8.
import { hex, publicJwk, toHex } from './cose.mjs'
import { assert, assertEqual, vectors } from './harness.mjs'
import { verifyBundle } from './bundle.mjs'
import { letterIdBytes } from './letter.mjs'

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
      verifyBundle(hex(v.hex), { ...opts, now: v.now ?? j.now }),
    )
}
