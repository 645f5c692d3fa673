/**
 * @module letters/sender-keys
 * Resolves the public key that signed a letter submitted to this node: a current `sig` key
 * registered for the sender's mailbox. Imported keys are cached by kid (bounded), since a bulk
 * sender signs thousands of letters with one key.
 */
import { importPublicJwk } from '../core.js'
import type { Storage } from '../storage/storage.js'
import type { SenderKeyResolver } from './letter-port.js'

/**
 * @example
 * ```ts
 * const resolve = localSenderKeys(storage)
 * const key = await resolve('tax@post.eg', kid)
 * ```
 */
export function localSenderKeys(storage: Storage, maxCached = 1000): SenderKeyResolver {
  const cache = new Map<string, CryptoKey>()
  return async (sender, kid) => {
    const mb = await storage.getMailboxByAddress(sender)
    if (!mb || mb.status === 'closed') return undefined
    // Revocation must take effect at once: the list of current keys is read every time, and
    // only the costly import is cached.
    const key = (await storage.listMailboxKeys(mb.id)).find((k) => k.use === 'sig' && k.kid === kid)
    if (!key) return undefined
    const cacheKey = `${mb.id} ${kid}`
    let ck = cache.get(cacheKey)
    if (!ck) {
      ck = (await importPublicJwk(JSON.parse(key.jwk), { use: 'sign' })).publicKey
      if (cache.size >= maxCached) cache.delete(cache.keys().next().value!)
      cache.set(cacheKey, ck)
    }
    return ck
  }
}
