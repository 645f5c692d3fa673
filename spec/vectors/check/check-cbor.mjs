// vectors/cbor.json against spec 02.
import { decode, encode, Tag } from './cbor.mjs'
import { hex, toHex } from './cose.mjs'
import { assertEqual, vectors } from './harness.mjs'

/** RFC 8949 section 8 diagnostic notation, for the subset the vectors use. */
export function diagnostic(v) {
  if (v === null) return 'null'
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') return String(v)
  if (typeof v === 'string') return JSON.stringify(v)
  if (v instanceof Uint8Array) return `h'${toHex(v)}'`
  if (Array.isArray(v)) return `[${v.map(diagnostic).join(', ')}]`
  if (v instanceof Tag) return `${v.tag}(${diagnostic(v.value)})`
  return `{${[...v].map(([k, x]) => `${diagnostic(k)}: ${diagnostic(x)}`).join(', ')}}`
}

export function checkCbor(r) {
  const j = vectors('cbor.json')
  // The description names the allowed tags for these vectors.
  const tags = [18]
  for (const v of j.valid) {
    r.check(`cbor valid ${v.diagnostic}`, () => {
      const value = decode(hex(v.hex), { tags, ...v.limits })
      assertEqual(diagnostic(value), v.diagnostic, 'diagnostic')
      assertEqual(toHex(encode(value)), v.hex, 're-encoding')
    })
  }
  for (const v of j.invalid) {
    r.refuses(`cbor invalid ${v.description}`, v.reason, () =>
      decode(hex(v.hex), { tags, ...v.limits }),
    )
  }
}
