/**
 * @module cose/vectors-es256
 * For the generators of spec/vectors: ECDSA signs with a fresh nonce, so an ES256 structure made
 * again differs from the committed one in its 64 signature bytes alone. A generator passes each
 * ES256 structure it makes through {@link CommittedSignatures.keep}, which gives back the
 * committed structure when every byte but the signature is the same, before anything (a digest,
 * a chain, a must-fail variant) is derived from it. Regenerating without a change of format then
 * leaves the file as it is, and the vectors tests can compare the file with the generator's
 * output exactly.
 */
import { fromHex, toHex } from '../bytes.js'
import { decodeSign1, verifySign1Signature } from './sign1.js'

/** Hex digits of an ES256 signature, the last member of a COSE_Sign1. */
const SIGNATURE_HEX = 128

/** The COSE_Sign1 structures (hex) of a committed vector file, by everything but their signature. */
export class CommittedSignatures {
  // Several committed strings may share a prefix (a must-fail copy with a changed signature).
  private readonly byPrefix = new Map<string, string[]>()
  /** How many structures {@link keep} gave back from the committed file. */
  kept = 0

  /**
   * Indexes every hex string of `committed` (a parsed vector file, or undefined) long enough to
   * hold a signature.
   *
   * @example
   * ```ts
   * const pool = CommittedSignatures.of(JSON.parse(readFileSync('spec/vectors/evidence.json', 'utf8')))
   * ```
   */
  static of(committed: unknown): CommittedSignatures {
    const pool = new CommittedSignatures()
    const walk = (v: unknown): void => {
      if (typeof v === 'string') {
        if (v.length > SIGNATURE_HEX && /^[0-9a-f]+$/.test(v)) {
          const prefix = v.slice(0, -SIGNATURE_HEX)
          pool.byPrefix.set(prefix, [...(pool.byPrefix.get(prefix) ?? []), v])
        }
      } else if (Array.isArray(v)) v.forEach(walk)
      else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk)
    }
    walk(committed)
    return pool
  }

  /**
   * The committed structure that differs from `bytes` in its signature alone and whose
   * signature verifies under `publicKey` (low S included), else `bytes`.
   */
  async keep(bytes: Uint8Array, publicKey: CryptoKey): Promise<Uint8Array> {
    const hex = toHex(bytes)
    for (const committed of this.byPrefix.get(hex.slice(0, -SIGNATURE_HEX)) ?? []) {
      if (committed.length !== hex.length) continue
      const candidate = fromHex(committed)
      try {
        await verifySign1Signature(decodeSign1(candidate), publicKey)
      } catch {
        continue
      }
      this.kept += 1
      return candidate
    }
    return bytes
  }
}
