/**
 * @module directory/lookup
 * Directory answers (spec 12.5, 11.6) as the client hands them to its caller: the mailbox
 * address with only keys whose certification verified, or "exempt", or "unknown". A key whose
 * certification fails makes the whole lookup fail: the node, or the peer it asked, answered
 * with something no honest operator sends, and the caller must not quietly write to the rest.
 */
import { check } from '../args/check.js'
import * as shape from '../args/shapes.js'
import { BaridError, parseIdentifier, parseMailboxAddress } from '../core.js'
import { verifyKeyCertificate, type CertifiedKey } from '../keys/key-certificate.js'
import type { KeyTrust } from '../trust/key-trust.js'

/** Most keys read from one answer (a mailbox holds at most 32, spec 13.4). */
const MAX_KEYS = 64

/** A verified directory answer. */
export type Recipient =
  | {
      status: 'active'
      address: string
      operator: string
      /**
       * Certified encryption keys in the node's order, newest registration first (spec 13.4): a
       * letter is encrypted to the first four.
       */
      encryptionKeys: CertifiedKey[]
      /** Certified signing keys, in the node's order (newest registration first). */
      signingKeys: CertifiedKey[]
    }
  | { status: 'exempt'; operator: string }
  | { status: 'unknown'; operator: string | null }

/** A lookup query: a participant identifier (`dk:cpr:…`) or a mailbox address. */
export type LookupQuery = { identifier: string } | { address: string }

/**
 * Reads a query from a string: an address when it has an `@`, else an identifier. Both are
 * validated (section 03) before anything is sent.
 *
 * @example
 * ```ts
 * toLookupQuery('dk:cpr:0101901234') // { identifier: 'dk:cpr:0101901234' }
 * ```
 */
export function toLookupQuery(q: string | LookupQuery): LookupQuery {
  check(q, shape.lookupQuery, 'query')
  if (typeof q !== 'string')
    return 'identifier' in q && typeof q.identifier === 'string'
      ? { identifier: parseIdentifier(q.identifier).text }
      : { address: parseMailboxAddress((q as { address: string }).address).address }
  return q.includes('@')
    ? { address: parseMailboxAddress(q).address }
    : { identifier: parseIdentifier(q).text }
}

function wire(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new BaridError('ERR_INTERNAL', 'the node answered a lookup with a malformed result')
  return v as Record<string, unknown>
}

/**
 * Checks a lookup answer and verifies every key certification in it.
 *
 * @example
 * ```ts
 * const r = await verifyLookupResult(await res.json(), { trust })
 * if (r.status === 'active') sealTo(r.encryptionKeys)
 * ```
 */
export async function verifyLookupResult(
  answer: unknown,
  o: { trust: KeyTrust; query?: LookupQuery; now?: number },
): Promise<Recipient> {
  check(o, shape.verifyLookupOptions, 'options')
  const a = wire(answer)
  const operator = typeof a.operator === 'string' ? a.operator : null
  if (a.status === 'exempt') return { status: 'exempt', operator: operator ?? '' }
  if (a.status === 'unknown') return { status: 'unknown', operator }
  if (
    a.status !== 'active' ||
    typeof a.address !== 'string' ||
    !Array.isArray(a.keys) ||
    a.keys.length > MAX_KEYS
  ) {
    throw new BaridError('ERR_INTERNAL', 'the node answered a lookup with a malformed result')
  }
  const address = parseMailboxAddress(a.address)
  if (o.query && 'address' in o.query && o.query.address !== address.address) {
    throw new BaridError('ERR_INTERNAL', 'the node answered a lookup for another address')
  }
  const encryptionKeys: CertifiedKey[] = []
  const signingKeys: CertifiedKey[] = []
  for (const raw of a.keys) {
    const k = wire(raw)
    if (k.use !== 'enc' && k.use !== 'sig') continue
    const c = await verifyKeyCertificate(k.certificate, {
      trust: o.trust,
      address: address.address,
      use: k.use,
      now: o.now,
    })
    if (k.kid !== undefined && k.kid !== c.kid)
      throw new BaridError('ERR_KEY_INVALID', 'a listed kid differs from its certificate')
    ;(c.use === 'enc' ? encryptionKeys : signingKeys).push(c)
  }
  // The node's order is the registration order (13.4). Certificate notBefore cannot replace it:
  // it has one-second resolution and is backdated, so keys registered close together tie.
  return {
    status: 'active',
    address: address.address,
    operator: address.operator,
    encryptionKeys,
    signingKeys,
  }
}
