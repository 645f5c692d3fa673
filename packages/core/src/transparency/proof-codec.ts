/**
 * @module transparency/proof-codec
 * Inclusion and consistency proofs as CBOR maps (spec/16 section 16.3, `transparency.cddl`), for
 * evidence bundles and the node's proof endpoints. Reading checks shape and bounds only; whether
 * a proof proves anything is for {@link verifyInclusion} and {@link verifyConsistency}.
 */
import { MapReader, type CborKey, type CborValue } from '../cbor/index.js'
import { BaridError } from '../errors.js'
import { HASH_SIZE } from './hash.js'
import type { ConsistencyProof, InclusionProof } from './log.js'

/** Most hashes in a proof path: more than any tree of 2^53 leaves needs. */
export const MAX_PROOF_PATH = 128

const CODE = 'ERR_PROOF_INVALID'

function readPath(r: MapReader): Uint8Array[] {
  return r.array('path', MAX_PROOF_PATH).map((p) => {
    if (!(p instanceof Uint8Array) || p.length !== HASH_SIZE)
      throw new BaridError(CODE, `a proof path holds ${HASH_SIZE}-byte hashes`)
    return p
  })
}

/**
 * The CBOR map of an inclusion proof: `{"index", "size", "path"}`.
 *
 * @example
 * ```ts
 * const bytes = encodeCanonical(inclusionProofValue(await log.inclusionProof(i, cp.size)))
 * ```
 */
export function inclusionProofValue(p: InclusionProof): Map<CborKey, CborValue> {
  return new Map<CborKey, CborValue>([
    ['index', p.index],
    ['size', p.size],
    ['path', [...p.path]],
  ])
}

/**
 * Reads an inclusion proof map; a wrong shape is `ERR_PROOF_INVALID`.
 *
 * @example
 * ```ts
 * const proof = readInclusionProof(decodeStrict(bytes))
 * ```
 */
export function readInclusionProof(value: CborValue): InclusionProof {
  const r = MapReader.of(value, CODE, 'inclusion proof').only(['index', 'size', 'path'])
  return { index: r.int('index', 0), size: r.int('size', 1), path: readPath(r) }
}

/**
 * The CBOR map of a consistency proof: `{"first", "second", "path"}`.
 *
 * @example
 * ```ts
 * const value = consistencyProofValue(await log.consistencyProof(held.size, cp.size))
 * ```
 */
export function consistencyProofValue(p: ConsistencyProof): Map<CborKey, CborValue> {
  return new Map<CborKey, CborValue>([
    ['first', p.first],
    ['second', p.second],
    ['path', [...p.path]],
  ])
}

/**
 * Reads a consistency proof map; a wrong shape is `ERR_PROOF_INVALID`.
 *
 * @example
 * ```ts
 * const proof = readConsistencyProof(decodeStrict(bytes))
 * ```
 */
export function readConsistencyProof(value: CborValue): ConsistencyProof {
  const r = MapReader.of(value, CODE, 'consistency proof').only(['first', 'second', 'path'])
  return { first: r.int('first', 0), second: r.int('second', 0), path: readPath(r) }
}
