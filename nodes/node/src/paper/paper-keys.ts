/**
 * @module paper/paper-keys
 * The print key in the directory (spec 17.6). For a resident the exemption registry serves on
 * paper, a lookup answers with the operator's print key, certified by the operator CA for that
 * resident's address, so that a sender seals the letter to the print channel. For anyone else
 * the print key is never handed out: a letter to a digital mailbox stays unreadable to the
 * operator.
 */
import { servedKeys } from '../keys/key-renewal.js'
import type { NodeServices } from '../services.js'
import type { Mailbox, MailboxKey } from '../storage/types.js'

/** A key as the directory answers it (spec 12.5). */
export interface PaperKey {
  kid: string
  use: 'enc'
  jwk: unknown
  certificate: string
}

/**
 * The print key certified for `mb`, or undefined when the registry has no exemption for it (a
 * letter cannot be printed without a postal address). Certified once and kept with the
 * mailbox's keys.
 *
 * @example
 * ```ts
 * const keys = await paperKeys(svc, mailbox)
 * ```
 */
export async function paperKeys(svc: NodeServices, mb: Mailbox): Promise<PaperKey[] | undefined> {
  if (!(await svc.storage.getExemption(mb.id))) return undefined
  const print = svc.registered.printKey
  const kid = print.kidBase64Url
  // Renewed like any mailbox key (spec 13.4); an expired certification is never served.
  const served = (await servedKeys(svc, mb)).find((k) => k.kid === kid)
  if (served) return [view(served)]
  // Certified before, and expired without renewal (the operator CA has expired): no key to give.
  if ((await svc.storage.listMailboxKeys(mb.id)).some((k) => k.kid === kid)) return []
  const now = svc.now()
  const c = await svc.certifier.certify({
    sub: mb.address,
    use: 'enc',
    jwk: print.publicJwk,
    now,
  })
  const key = {
    mailboxId: mb.id,
    kid: c.kid,
    use: 'enc' as const,
    jwk: JSON.stringify(c.jwk),
    certificate: c.certificate,
    label: 'operator print key',
    createdAt: now,
    revokedAt: null,
    certNotAfter: c.notAfter,
    certIssuer: c.issuer,
  }
  await svc.storage.addMailboxKey(key)
  return [view(key)]
}

function view(key: Pick<MailboxKey, 'kid' | 'jwk' | 'certificate'>): PaperKey {
  const jwk = JSON.parse(key.jwk) as unknown
  return { kid: key.kid, use: 'enc', jwk, certificate: key.certificate }
}

/** True when `kid` is the operator's print key, which is never handed out for a digital mailbox. */
export function isPrintKey(svc: NodeServices, kid: string): boolean {
  return kid === svc.registered.printKey.kidBase64Url
}
