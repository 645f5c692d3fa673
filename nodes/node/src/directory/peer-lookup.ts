/**
 * @module directory/peer-lookup
 * Reads a peer's answer to a directory lookup (spec 11.6) before this node relays it to a sender
 * (12.5): typed, bounded, and about a mailbox of the operator that answered. A peer that answers
 * otherwise is a peer that cannot be used now (`ERR_PEER_UNAVAILABLE`), never a crash and never
 * a verdict about the person looked up.
 */
import { BaridError, parseMailboxAddress } from '../core.js'
import type { CertifiedKey, LookupResult } from './lookup.js'

/** At most this many keys are relayed from one answer. */
export const MAX_LOOKUP_KEYS = 64

function malformed(what: string): never {
  throw new BaridError('ERR_PEER_UNAVAILABLE', 'peer answered a lookup with a malformed result', {
    details: { what },
  })
}

function text(v: unknown, what: string, max: number): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) malformed(what)
  return v
}

function key(v: unknown, i: number): CertifiedKey {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) malformed(`keys[${i}]`)
  const k = v as Record<string, unknown>
  if (typeof k.jwk !== 'object' || k.jwk === null || Array.isArray(k.jwk))
    malformed(`keys[${i}].jwk`)
  if (k.use !== 'enc' && k.use !== 'sig') malformed(`keys[${i}].use`)
  return {
    kid: text(k.kid, `keys[${i}].kid`, 128),
    use: k.use,
    jwk: k.jwk,
    certificate: text(k.certificate, `keys[${i}].certificate`, 16_384),
  }
}

/**
 * The lookup result to relay, from the JSON a peer `operator` answered with.
 *
 * @example
 * ```ts
 * const result = readPeerLookup(res.json(), 'digitalpost.dk')
 * ```
 */
export function readPeerLookup(json: unknown, operator: string): LookupResult {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) malformed('answer')
  const r = json as Record<string, unknown>
  if (r.status === 'exempt') return { status: 'exempt', operator }
  if (r.status === 'unknown') return { status: 'unknown', operator }
  if (r.status !== 'active') malformed('status')
  const address = text(r.address, 'address', 320)
  let owner: string
  try {
    owner = parseMailboxAddress(address).operator
  } catch {
    malformed('address')
  }
  if (owner !== operator) malformed('address')
  // No key is an answer (the holder has not registered one yet): the sender's ERR_KEY_NOT_FOUND.
  if (!Array.isArray(r.keys)) malformed('keys')
  const keys = r.keys.slice(0, MAX_LOOKUP_KEYS).map(key)
  if (r.delivery !== undefined && r.delivery !== 'paper') malformed('delivery')
  return {
    status: 'active',
    address,
    operator,
    keys,
    ...(r.delivery === 'paper' ? { delivery: 'paper' as const } : {}),
  }
}
