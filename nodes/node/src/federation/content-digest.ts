/**
 * @module federation/content-digest
 * The `Content-Digest` field of RFC 9530 with the `sha-256` algorithm, the only one this
 * profile uses. A field naming other algorithms as well is accepted as long as its `sha-256`
 * member matches; a field without `sha-256` is refused (RFC 9530 section 2 lets a receiver
 * ignore algorithms it does not support, and then there is nothing left to check).
 */
import { createHash } from 'node:crypto'
import { BaridError, timingSafeEqual } from '../core.js'
import { isInnerList, parseDictionary } from './structured-fields.js'

/**
 * The Content-Digest value for `body`.
 *
 * @example
 * ```ts
 * contentDigest(new TextEncoder().encode('{"hello": "world"}'))
 * // 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'
 * ```
 */
export function contentDigest(body: Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`
}

/**
 * Checks a Content-Digest field against `body`; throws `ERR_FED_CONTENT_DIGEST` unless it
 * carries a matching `sha-256` member.
 *
 * @example
 * ```ts
 * verifyContentDigest(request.headers.get('content-digest'), bodyBytes)
 * ```
 */
export function verifyContentDigest(field: string | null | undefined, body: Uint8Array): void {
  if (!field) throw new BaridError('ERR_FED_CONTENT_DIGEST', 'Content-Digest is missing')
  const dict = parseDictionary(field, 'ERR_FED_CONTENT_DIGEST')
  const m = dict.get('sha-256')
  if (!m || isInnerList(m) || !(m.value instanceof Uint8Array)) {
    throw new BaridError('ERR_FED_CONTENT_DIGEST', 'Content-Digest has no sha-256 byte sequence')
  }
  const actual = new Uint8Array(createHash('sha256').update(body).digest())
  if (!timingSafeEqual(m.value, actual)) {
    throw new BaridError('ERR_FED_CONTENT_DIGEST', 'Content-Digest does not match the content')
  }
}
