/**
 * @module transparency/hash
 * The two hashes of an RFC 9162 Merkle tree (section 2.1.1): a leaf hash SHA-256(0x00 || leaf)
 * and an interior node hash SHA-256(0x01 || left || right). The distinct prefixes keep a leaf
 * from ever being read as a node (second-preimage resistance across levels).
 */
import { BaridError } from '../errors.js'
import { fromHex, sha256 as webCryptoSha256 } from '../bytes.js'

/** Length in bytes of every hash in the log (SHA-256). */
export const HASH_SIZE = 32

/**
 * The root of the empty tree: SHA-256 of the empty string (RFC 9162 section 2.1.1).
 */
export const EMPTY_ROOT: Uint8Array = fromHex(
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
)

/**
 * A SHA-256 implementation. The default is WebCrypto; a Node service may inject a synchronous
 * one (`(d) => createHash('sha256').update(d).digest()`), which avoids WebCrypto's per-call
 * overhead. It MUST compute SHA-256: nothing else interoperates.
 */
export type Sha256 = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>

/** Options shared by every function that hashes. */
export interface HashOptions {
  /** The SHA-256 implementation. Default: WebCrypto. */
  sha256?: Sha256
}

/** The SHA-256 a caller asked for, or WebCrypto's. */
export function hasherOf(options: HashOptions | undefined): Sha256 {
  return options?.sha256 ?? webCryptoSha256
}

/**
 * The leaf hash of `leaf` (RFC 9162 section 2.1.1): SHA-256(0x00 || leaf).
 *
 * @example
 * ```ts
 * const h = await leafHash(evidenceRecordBytes)
 * ```
 */
export async function leafHash(leaf: Uint8Array, options?: HashOptions): Promise<Uint8Array> {
  if (!(leaf instanceof Uint8Array))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'a leaf must be bytes')
  const data = new Uint8Array(leaf.length + 1)
  data.set(leaf, 1)
  return hasherOf(options)(data)
}

/**
 * The interior node hash of two child hashes (RFC 9162 section 2.1.1): SHA-256(0x01 || left || right).
 *
 * @example
 * ```ts
 * const parent = await nodeHash(leftChild, rightChild)
 * ```
 */
export async function nodeHash(
  left: Uint8Array,
  right: Uint8Array,
  options?: HashOptions,
): Promise<Uint8Array> {
  assertHash(left, 'left child')
  assertHash(right, 'right child')
  const data = new Uint8Array(1 + 2 * HASH_SIZE)
  data[0] = 1
  data.set(left, 1)
  data.set(right, 1 + HASH_SIZE)
  return hasherOf(options)(data)
}

/** Refuses anything but a 32-byte hash supplied by a caller (not by a proof: see verify-proof). */
export function assertHash(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
    throw new BaridError('ERR_INVALID_ARGUMENT', `${what} must be a ${HASH_SIZE}-byte hash`)
  }
}
