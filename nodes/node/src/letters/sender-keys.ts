/**
 * @module letters/sender-keys
 * Resolves the public key that signed a letter submitted to this node: a current `sig` key
 * registered for the sender's mailbox. Imported keys are cached by kid (bounded), since a bulk
 * sender signs thousands of letters with one key.
 */
import { importPublicJwk } from '../core.js'
import type { Storage } from '../storage/storage.js'
import type { Mailbox } from '../storage/types.js'
import type { SenderKeyResolver } from './letter-port.js'

/** The signing key `kid` of a mailbox already in hand (the submitting caller's own). */
export type MailboxKeyResolver = (mailbox: Mailbox, kid: string) => Promise<CryptoKey | undefined>

/**
 * @example
 * ```ts
 * const keyOf = mailboxSigningKeys(storage)
 * const key = await keyOf(senderMailbox, kid)
 * ```
 */
export function mailboxSigningKeys(storage: Storage, maxCached = 1000): MailboxKeyResolver {
  const cache = new Map<string, CryptoKey>()
  return async (mb, kid) => {
    if (mb.status === 'closed') return undefined
    // Revocation must take effect at once: whether the key is current is read every time, and
    // only the costly import is cached.
    const jwk = await storage.currentKeyJwk(mb.id, kid, 'sig')
    if (jwk === undefined) return undefined
    const cacheKey = `${mb.id} ${kid} ${jwk}`
    let ck = cache.get(cacheKey)
    if (!ck) {
      ck = (await importPublicJwk(JSON.parse(jwk), { use: 'sign' })).publicKey
      if (cache.size >= maxCached) cache.delete(cache.keys().next().value!)
      cache.set(cacheKey, ck)
    }
    return ck
  }
}

/**
 * @example
 * ```ts
 * const resolve = localSenderKeys(storage)
 * const key = await resolve('tax@post.eg', kid)
 * ```
 */
export function localSenderKeys(storage: Storage, maxCached = 1000): SenderKeyResolver {
  const keyOf = mailboxSigningKeys(storage, maxCached)
  return async (sender, kid) => {
    const mb = await storage.getMailboxByAddress(sender)
    return mb ? keyOf(mb, kid) : undefined
  }
}
