/**
 * @module directory/lookup
 * Directory lookup (spec 12.5, 11.5): participant identifier or mailbox address to mailbox
 * address and certified keys, or "exempt", or "unknown". An identifier or address this node
 * does not serve is asked of the operator responsible for it, over the federation API.
 */
import { BaridError, identifierAuthority, parseIdentifier, parseMailboxAddress } from '../core.js'
import { servedKeys } from '../keys/key-renewal.js'
import { mutant } from '../test-control/mutants.js'
import { readPeerLookup } from './peer-lookup.js'
import { withRelayableKeys } from './relayed-keys.js'
import { fedRequest, TransportError } from '../federation/federation-client.js'
import { isPrintKey, paperKeys } from '../paper/paper-keys.js'
import type { NodeServices } from '../services.js'

export interface CertifiedKey {
  kid: string
  use: 'enc' | 'sig'
  jwk: unknown
  /** The operator's certification (spec 13.4). */
  certificate: string
}

export type LookupResult =
  | {
      status: 'active'
      address: string
      operator: string
      keys: CertifiedKey[]
      /** `paper`: the keys are the operator's print key (spec 17.6). */
      delivery?: 'paper'
    }
  | { status: 'exempt'; operator: string }
  | { status: 'unknown'; operator: string | null }

export type LookupQuery = { identifier: string } | { address: string }

/** Parses `{identifier}` or `{address}` into canonical form. */
export function parseLookupQuery(q: Record<string, unknown>): LookupQuery {
  if (typeof q.identifier === 'string' && q.address === undefined)
    return { identifier: parseIdentifier(q.identifier).text }
  if (typeof q.address === 'string' && q.identifier === undefined)
    return { address: parseMailboxAddress(q.address).address }
  throw new BaridError('ERR_INVALID_ARGUMENT', 'give exactly one of identifier or address')
}

async function operatorFor(svc: NodeServices, q: LookupQuery): Promise<string | null> {
  if ('address' in q) return parseMailboxAddress(q.address).operator
  const id = parseIdentifier(q.identifier)
  const auth = identifierAuthority(id)
  if (auth.kind === 'operator') return auth.operator
  if (svc.config.profile.identifierSchemes.includes(id.scheme)) return svc.directory.self
  return (await svc.directory.operatorForScheme(id.scheme)) ?? null
}

/**
 * Answers a lookup from this node's own mailboxes.
 *
 * @example
 * ```ts
 * const r = await lookupLocal(svc, { identifier: 'dk:cpr:0101901234' })
 * ```
 */
export async function lookupLocal(svc: NodeServices, q: LookupQuery): Promise<LookupResult> {
  const self = svc.directory.self
  const mb =
    'address' in q
      ? await svc.storage.getMailboxByAddress(q.address)
      : await svc.storage.getMailboxByIdentifier(q.identifier)
  if (!mb || mb.status === 'closed') return { status: 'unknown', operator: self }
  if (mb.status === 'exempt') {
    // Served on paper (spec 17.6): the sender seals to the operator's print key.
    const keys = await paperKeys(svc, mb)
    if (!keys) return { status: 'exempt', operator: self }
    return { status: 'active', address: mb.address, operator: self, keys, delivery: 'paper' }
  }
  // Certificates due are renewed first; a key whose certificate expired all the same is left
  // out (spec 11.6), and senders take the four newest of the rest.
  const keys = (await servedKeys(svc, mb)).filter((k) => !isPrintKey(svc, k.kid))
  return {
    status: 'active',
    address: mb.address,
    operator: self,
    keys: keys.map((k) => ({
      kid: k.kid,
      use: k.use,
      jwk: JSON.parse(k.jwk) as unknown,
      certificate: k.certificate,
    })),
  }
}

/**
 * Answers a lookup, asking the responsible peer when the query is not this node's.
 *
 * @example
 * ```ts
 * const r = await lookup(svc, { identifier: 'eg:nid:29001011234567' })
 * ```
 */
export async function lookup(svc: NodeServices, q: LookupQuery): Promise<LookupResult> {
  const operator = await operatorFor(svc, q)
  if (operator === null) return { status: 'unknown', operator: null }
  if (operator === svc.directory.self) return lookupLocal(svc, q)
  const peer = await svc.directory.getPeer(operator)
  if (!peer || peer.status !== 'active') return { status: 'unknown', operator }
  let res
  try {
    res = await fedRequest(svc, peer, {
      method: 'POST',
      path: '/v1/federation/directory/lookup',
      json: q,
      timeoutMs: 10_000,
    })
  } catch (e) {
    if (e instanceof TransportError)
      throw new BaridError('ERR_PEER_UNAVAILABLE', `operator ${operator} did not answer`)
    throw e
  }
  if (res.status !== 200)
    throw new BaridError('ERR_PEER_UNAVAILABLE', `operator ${operator} answered ${res.status}`, {
      details: { peerCode: res.code ?? null },
    })
  if (mutant('relay-unchecked-lookup')) return res.json<LookupResult>()
  // Keys are checked as a sender will check them, and one that would fail is left out (11.6).
  return withRelayableKeys(svc, readPeerLookup(res.json(), operator))
}
