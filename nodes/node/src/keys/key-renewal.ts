/**
 * @module keys/key-renewal
 * Renewal of mailbox key certificates (spec 13.4). A certificate is valid for a year (never past
 * the operator CA's own notAfter); a key stays registered until its holder deletes it. So the node
 * certifies the same key again, same kid, once its certificate is within {@link RENEW_WITHIN_DAYS}
 * of its notAfter, and from then on serves the new certificate. A certificate issued under
 * another CA than the operator's current one (the operator rotated its CA, spec 21.4) is renewed
 * at once, whatever its notAfter: the old CA is retired once nothing is left under it, and from
 * then on its certificates no longer verify. A certificate that expired all the same (the
 * operator CA expired, or ends before it) is never served: the key is left out of lookups and
 * listings, and the keys that remain are listed as before, newest registration first.
 */
import { isBaridError } from '../core.js'
import type { NodeServices } from '../services.js'
import type { Mailbox, MailboxKey } from '../storage/types.js'
import { issuerOf, readMailboxCertificate } from './key-certificate.js'

/**
 * Days before its notAfter from which a certificate is renewed. A month: the renewal worker runs
 * every housekeeping interval (an hour by default), so a node down for weeks still renews in
 * time, and a sender that looked a key up just before its renewal holds a certificate that stays
 * valid while it seals and submits.
 */
export const RENEW_WITHIN_DAYS = 30

const DAY = 86_400_000

/** What renewal does with a certificate that ends at `notAfter`. */
export type RenewalDecision =
  /** Not within the window and issued by the current CA: nothing to do. */
  | 'not-due'
  | 'renew'
  /** Due, but the operator CA has expired: no certificate can be issued (spec 21.1). */
  | 'ca-expired'
  /** Due, but the operator CA ends no later than the certificate: a new one ends no later. */
  | 'ca-ends-first'

/**
 * Whether a certificate ending at `notAfter` is renewed at `now`, when the certifying CA ends at
 * `caNotAfter` (all milliseconds since the epoch). A certificate whose notAfter is unknown (0) is
 * due; so is one issued by another CA than the current one (`otherCa`), at once.
 *
 * @example
 * ```ts
 * renewalDecision({ notAfter: now + 10 * DAY, now, caNotAfter: now + 3650 * DAY }) // 'renew'
 * renewalDecision({ notAfter: now + 300 * DAY, now, caNotAfter, otherCa: true }) // 'renew'
 * ```
 */
export function renewalDecision(o: {
  notAfter: number
  now: number
  caNotAfter: number
  otherCa?: boolean
}): RenewalDecision {
  if (o.otherCa !== true && !renewalDue(o.notAfter, o.now)) return 'not-due'
  if (o.caNotAfter <= o.now) return 'ca-expired'
  // Off a rotated CA even into a shorter certificate: the old one stops verifying at retirement.
  if (o.otherCa === true) return 'renew'
  // A new certificate ends at min(now + a year, CA notAfter): later than this one (which ends
  // within the window, well short of a year) exactly when the CA ends later.
  if (o.caNotAfter <= o.notAfter) return 'ca-ends-first'
  return 'renew'
}

/**
 * True when a certificate ending at `notAfter` is within the renewal window at `now`.
 *
 * @example
 * ```ts
 * if (renewalDue(key.certNotAfter, svc.now())) await renewKey(svc, key, mailbox.address)
 * ```
 */
export function renewalDue(notAfter: number, now: number): boolean {
  return notAfter - now <= RENEW_WITHIN_DAYS * DAY
}

/**
 * True when `key` is to go through {@link renewKey} at `now`: its certificate is within the
 * renewal window, was issued by another CA than `caKeyId` (the current one), or was not read yet.
 *
 * @example
 * ```ts
 * if (keyDue(stored, svc.now(), svc.certifier.caKeyId())) await renewKey(svc, stored, address)
 * ```
 */
export function keyDue(
  key: Pick<MailboxKey, 'certNotAfter' | 'certIssuer'>,
  now: number,
  caKeyId: string,
): boolean {
  return renewalDue(key.certNotAfter, now) || key.certIssuer !== caKeyId
}

/**
 * The outcome of {@link renewKey}: `renewed`, the {@link RenewalDecision} that kept the
 * certificate, or `superseded` (revoked or renewed by someone else meanwhile).
 */
export type RenewalOutcome = Exclude<RenewalDecision, 'renew'> | 'renewed' | 'superseded'

type RenewalServices = Pick<NodeServices, 'certifier' | 'storage' | 'now'>

/**
 * Renewals in progress, per store, by the certificate they replace. Lookups of one mailbox at once
 * (and the renewal worker) each find its due certificates; the conditional write keeps only one
 * renewal of each, but every caller would have had the CA sign one. Callers share one instead.
 */
const inFlight = new WeakMap<object, Map<string, Promise<RenewalResult>>>()

type RenewalResult = { key: MailboxKey; outcome: RenewalOutcome }

/**
 * Renews the certificate of `key` (mailbox `address`) if it is due and a renewal would last
 * longer, or if another CA than the current one issued it, in one conditional write: nothing is
 * written if the key was revoked, or its certificate replaced, since it was read (`superseded`:
 * read it again). A key whose notAfter or issuer was not read yet has them read and recorded
 * first. Gives the key as it is to be served. A call for a certificate whose renewal is already
 * in progress in this process shares its result: the CA signs once.
 *
 * @example
 * ```ts
 * const { key, outcome } = await renewKey(svc, stored, mailbox.address)
 * ```
 */
export function renewKey(
  svc: RenewalServices,
  key: MailboxKey,
  address: string,
): Promise<RenewalResult> {
  let flights = inFlight.get(svc.storage)
  if (!flights) inFlight.set(svc.storage, (flights = new Map()))
  const id = `${key.mailboxId} ${key.kid} ${key.certificate}`
  const running = flights.get(id)
  if (running) return running
  const renewal = renewOnce(svc, key, address).finally(() => flights.delete(id))
  flights.set(id, renewal)
  return renewal
}

async function renewOnce(
  svc: RenewalServices,
  key: MailboxKey,
  address: string,
): Promise<RenewalResult> {
  let k = key
  if (k.certNotAfter === 0 || k.certIssuer === '') {
    const read = await readCertificate(k.certificate)
    if (read !== undefined) {
      const recorded = await svc.storage.renewKeyCertificate({
        mailboxId: k.mailboxId,
        kid: k.kid,
        previous: k.certificate,
        certificate: k.certificate,
        certNotAfter: read.notAfter,
        certIssuer: read.issuer,
      })
      if (!recorded) return { key: k, outcome: 'superseded' }
      k = { ...k, certNotAfter: read.notAfter, certIssuer: read.issuer }
    }
  }
  const now = svc.now()
  const decision = renewalDecision({
    notAfter: k.certNotAfter,
    now,
    caNotAfter: svc.certifier.caNotAfter(),
    // A certificate that does not parse is not under the current CA either.
    otherCa: k.certIssuer !== svc.certifier.caKeyId(),
  })
  if (decision !== 'renew') return { key: k, outcome: decision }
  const c = await svc.certifier.certify({
    sub: address,
    use: k.use,
    jwk: JSON.parse(k.jwk) as unknown,
    now,
  })
  const renewed = {
    ...k,
    certificate: c.certificate,
    certNotAfter: c.notAfter,
    certIssuer: c.issuer,
  }
  const written = await svc.storage.renewKeyCertificate({
    mailboxId: k.mailboxId,
    kid: k.kid,
    previous: k.certificate,
    certificate: c.certificate,
    certNotAfter: c.notAfter,
    certIssuer: c.issuer,
  })
  return written ? { key: renewed, outcome: 'renewed' } : { key: k, outcome: 'superseded' }
}

/**
 * The notAfter and issuer of a stored certificate, or undefined if it does not parse (then it
 * is renewed).
 */
async function readCertificate(
  certificate: string,
): Promise<{ notAfter: number; issuer: string } | undefined> {
  try {
    const cert = await readMailboxCertificate(certificate)
    return { notAfter: cert.notAfter.getTime(), issuer: issuerOf(cert) }
  } catch (e) {
    if (isBaridError(e)) return undefined
    throw e
  }
}

/**
 * `stored` (a key of mailbox `address`) as it is to be served or sent now: first renewed through
 * {@link renewKey} if it is due ({@link keyDue}: a cheap comparison of what is stored with the
 * key, so that a caller on a hot path pays for a renewal only when one is due, once per
 * certificate). A revoked key is never renewed. When another renewal or a revocation came first,
 * the key is read again (revoked ones too with `includeRevoked`), and undefined when it is gone
 * from that reading. A renewal that fails leaves the key as it was, logged: the renewal worker
 * tries again.
 *
 * @example
 * ```ts
 * const key = await renewedIfDue(svc, stored, mailbox.address)
 * ```
 */
export async function renewedIfDue(
  svc: RenewalServices & Pick<NodeServices, 'log'>,
  stored: MailboxKey,
  address: string,
  o: { includeRevoked?: boolean } = {},
): Promise<MailboxKey | undefined> {
  if (stored.revokedAt !== null || !keyDue(stored, svc.now(), svc.certifier.caKeyId()))
    return stored
  try {
    const r = await renewKey(svc, stored, address)
    if (r.outcome !== 'superseded') return r.key
    // Another renewal (or a revocation) came first: what it left.
    const keys = await svc.storage.listMailboxKeys(stored.mailboxId, o)
    return keys.find((k) => k.kid === stored.kid)
  } catch (e) {
    svc.log.error('key certificate renewal failed', {
      kid: stored.kid,
      error: isBaridError(e) ? e.code : String(e).slice(0, 200),
    })
    return stored
  }
}

/**
 * The current keys of `mb` as lookups and key listings serve them (spec 13.4, 11.6, 12.5):
 * newest registration first, each certificate within the renewal window or issued under another
 * CA than the current one renewed first ({@link renewedIfDue}), and no key whose certificate has
 * expired. A renewal that fails leaves the key as it was (served while its certificate lasts) and
 * is logged: the renewal worker tries again.
 *
 * @example
 * ```ts
 * const keys = (await servedKeys(svc, mailbox)).filter((k) => !isPrintKey(svc, k.kid))
 * ```
 */
export async function servedKeys(
  svc: RenewalServices & Pick<NodeServices, 'log'>,
  mb: Pick<Mailbox, 'id' | 'address'>,
): Promise<MailboxKey[]> {
  const out: MailboxKey[] = []
  for (const stored of await svc.storage.listMailboxKeys(mb.id)) {
    const k = await renewedIfDue(svc, stored, mb.address)
    if (k && k.certNotAfter > svc.now()) out.push(k)
  }
  return out
}
