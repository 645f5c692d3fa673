import { fromHex } from '../src/bytes.js'
import { decodeStrict, encodeCanonical, type CborKey, type CborValue } from '../src/cbor/index.js'

/** A must-fail bundle too large to store: the valid bundle `base` with other revocations. */
export interface BundleRecipe {
  base: string
  revocations: { bytes: number; fill: string }[]
}

/**
 * The bytes of a must-fail entry of spec/vectors/evidence-bundle.json: its `hex`, or its
 * `recipe` expanded (the valid bundle named, its revocation lists replaced by fills).
 *
 * @example
 * ```ts
 * const bytes = bundleVectorBytes(v.valid, v.invalid[0])
 * ```
 */
export function bundleVectorBytes(
  valid: readonly { name: string; hex: string }[],
  entry: { hex?: string; recipe?: BundleRecipe },
): Uint8Array {
  if (entry.hex !== undefined) return fromHex(entry.hex)
  const { base, revocations } = entry.recipe!
  const m = decodeStrict(fromHex(valid.find((e) => e.name === base)!.hex)) as Map<
    CborKey,
    CborValue
  >
  m.set(
    'revocations',
    revocations.map((r) => new Uint8Array(r.bytes).fill(parseInt(r.fill, 16))),
  )
  return encodeCanonical(m)
}
