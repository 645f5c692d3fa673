/**
 * @module sender/api-keys
 * Sender API keys (spec 12.1): `barid_sk_<keyId>.<secret>`, where `keyId` (16 base64url
 * characters) finds the sender and `secret` (32 random bytes, base64url) proves it. The node
 * stores only SHA-256 of the secret: the secret is uniformly random, so a fast hash suffices
 * (no dictionary to slow down), and the comparison is constant-time. A sender holds a few live
 * keys at most (a rotation's grace period, admin/sender-api-keys.ts); one past its end fails.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const KEY_RE = /^barid_sk_([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/

export interface NewApiKey {
  /** The whole key: shown to the operator once, never stored. */
  apiKey: string
  keyId: string
  /** Hex SHA-256 of the secret: what the node stores. */
  hash: string
}

/**
 * @example
 * ```ts
 * const { apiKey, keyId, hash } = newApiKey()
 * ```
 */
export function newApiKey(random: (n: number) => Uint8Array = (n) => randomBytes(n)): NewApiKey {
  const keyId = Buffer.from(random(12)).toString('base64url')
  const secret = Buffer.from(random(32)).toString('base64url')
  return {
    apiKey: `barid_sk_${keyId}.${secret}`,
    keyId,
    hash: createHash('sha256').update(secret).digest('hex'),
  }
}

/** Splits a presented key; undefined when it is not of the right form. */
export function parseApiKey(presented: string): { keyId: string; secret: string } | undefined {
  const m = KEY_RE.exec(presented)
  return m ? { keyId: m[1]!, secret: m[2]! } : undefined
}

/** Constant-time check of a presented secret against the stored hash. */
export function apiKeyMatches(secret: string, storedHash: string): boolean {
  const a = createHash('sha256').update(secret).digest()
  const b = Buffer.from(storedHash, 'hex')
  return a.byteLength === b.byteLength && timingSafeEqual(a, b)
}

/** Whether a key whose end is `expiresAt` (null: none set) works at `at`. */
export function apiKeyLive(expiresAt: number | null, at: number): boolean {
  return expiresAt === null || at < expiresAt
}
