/**
 * @module trust/key-trust
 * Where a client gets the operators' evidence-signing keys, with which it checks key
 * certifications (spec 13.4) and evidence records (spec 07). {@link KeyTrust} is the seam: a
 * local federation file (spec 11.1) implements it today, the federation trust list (spec 20)
 * later, and a node's own discovery document (see `discovery-trust.ts`) for its own operator.
 */
import { BaridError, importPublicJwk, parseOperatorId } from '../core.js'

/** An operator's evidence-signing key. */
export interface TrustedKey {
  /** Ed25519 public key. */
  key: CryptoKey
  /** The operator the key belongs to. */
  operator: string
  /** Milliseconds; the key verifies only what was signed before this time. */
  retiredAt: number | null
}

/** Finds operators' evidence-signing keys by key id. */
export interface KeyTrust {
  /** The key with this kid (RFC 7638 thumbprint, base64url), or undefined when unknown. */
  evidenceKey(kid: string): Promise<TrustedKey | undefined>
}

/**
 * A {@link KeyTrust} over a fixed list of keys.
 *
 * @example
 * ```ts
 * const trust = staticTrust([{ kid, key, operator: 'post.eg', retiredAt: null }])
 * ```
 */
export function staticTrust(keys: readonly (TrustedKey & { kid: string })[]): KeyTrust {
  const byKid = new Map(
    keys.map((k) => [k.kid, { key: k.key, operator: k.operator, retiredAt: k.retiredAt }]),
  )
  return {
    async evidenceKey(kid) {
      return byKid.get(kid)
    },
  }
}

/**
 * Asks each {@link KeyTrust} in turn; the first that knows the kid answers.
 *
 * @example
 * ```ts
 * const trust = combineTrust(await trustFromFederationFile(json), ownNode)
 * ```
 */
export function combineTrust(...sources: readonly KeyTrust[]): KeyTrust {
  return {
    async evidenceKey(kid) {
      for (const s of sources) {
        const k = await s.evidenceKey(kid)
        if (k) return k
      }
      return undefined
    },
  }
}

function field(o: unknown, path: string): Record<string, unknown> {
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new BaridError('ERR_INVALID_ARGUMENT', `federation file: ${path} must be an object`)
  return o as Record<string, unknown>
}

/**
 * Reads the evidence-signing keys of every active operator in a local federation file
 * (spec 11.1), e.g. the one the demo writes to `<data dir>/federation.json`. The file is
 * trusted as a whole: it is the configuration, like a trust list.
 *
 * @example
 * ```ts
 * const trust = await trustFromFederationFile(JSON.parse(await readFile(file, 'utf8')))
 * ```
 */
export async function trustFromFederationFile(json: unknown): Promise<KeyTrust> {
  const root = field(json, 'the file')
  const operators = root.operators
  if (!Array.isArray(operators) || operators.length > 1000)
    throw new BaridError('ERR_INVALID_ARGUMENT', 'federation file: operators must be an array')
  const keys: (TrustedKey & { kid: string })[] = []
  for (const [i, raw] of operators.entries()) {
    const o = field(raw, `operators[${i}]`)
    const operator = parseOperatorId(o.operator)
    if ((o.status ?? 'active') !== 'active') continue
    if (!Array.isArray(o.keys) || o.keys.length > 32)
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        `federation file: operators[${i}].keys must be an array`,
      )
    for (const [j, kr] of o.keys.entries()) {
      const k = field(kr, `operators[${i}].keys[${j}]`)
      if (k.use !== 'evidence-signing') continue
      const handle = await importPublicJwk(k.jwk, { use: 'sign' })
      const retired = typeof k.retiredAt === 'string' ? Date.parse(k.retiredAt) : null
      if (retired !== null && Number.isNaN(retired))
        throw new BaridError(
          'ERR_INVALID_ARGUMENT',
          `federation file: operators[${i}].keys[${j}].retiredAt must be a time`,
        )
      keys.push({ kid: handle.kidBase64Url, key: handle.publicKey, operator, retiredAt: retired })
    }
  }
  return staticTrust(keys)
}
