/**
 * @module test-control/mutants
 * Deliberately broken variants of the node, for the conformance suite's mutation score
 * (spec 30.7). Each mutant switches off exactly one protocol rule; the rule's site carries a
 * one-line guard `if (… && !mutant('name'))`. The variant is chosen by the environment variable
 * `BARID_MUTANT`, read here and nowhere else. A node refuses to start with a mutant unless test
 * control is enabled (see `mount.ts`), so a stray variable cannot weaken a production node.
 */

/** Every mutant, with the one rule it breaks. */
export const MUTANTS = {
  'accept-bad-signature':
    'accepts a federation request whose signature does not verify (11.2 step 5)',
  'accept-stale-signature':
    'accepts a federation request signed outside the freshness window (11.2 step 3)',
  'accept-unknown-algorithm': 'accepts a signature whose alg is not ed25519 (11.2 step 2)',
  'accept-replay': 'accepts a signature nonce it has seen before (11.2 step 6)',
  'ignore-content-digest': 'does not check Content-Digest against the content (11.2 step 7)',
  'accept-withdrawn-operator': 'accepts requests signed by a withdrawn operator (11.1)',
  'accept-oversized-batch': 'accepts a transaction of more than 100 items (11.4)',
  'accept-misrouted': 'accepts a letter for a recipient it does not serve (11.4 step 3)',
  'accept-uncertified-sender':
    "accepts a peer's letter whose sender is not the certified key holder (11.4 step 2)",
  'ignore-tx-conflict':
    'answers a reused transaction id with different content from the stored response (11.4)',
  'deliver-after-deadline': 'delivers a letter after its deliverBefore (14.4)',
  'redeliver-duplicate': 'treats a letter already in the mailbox as new (11.4 step 6, 14.4)',
  'skip-evidence-record':
    'issues relay-accepted but no delivered record for registered mail (14.5)',
  'ignore-exempt': 'delivers to a recipient exempt from digital post (11.4 step 6)',
  'expire-ambiguous': 'declares non-delivery after an ambiguous attempt (14.4)',
  'send-to-withdrawn-operator': 'queues letters for an operator that is not active (11.1, 14.1)',
  'leak-other-letters': "serves a letter in another citizen's mailbox (13.3)",
  'leak-sent-status': "shows a sender the status of another organisation's letter (12.8)",
  'ignore-idempotency-key': 'runs a request again under a reused Idempotency-Key (12.2)',
  'accept-sender-mismatch': 'accepts a letter naming another sender than the caller (12.3)',
  'accept-evidence-digest-mismatch':
    "keeps a returned record naming one of its letters' ids with another digest (11.4)",
  'settle-unreadable-answer':
    'settles items as not delivered on a 200 answer it could not read (14.3)',
  'relay-unchecked-lookup': "relays a peer's lookup answer as it came, unchecked (11.6)",
  'log-drop-records': 'leaves the evidence records it issues out of its transparency log (16.5)',
  'send-unadvertised-members':
    'sends optional members to a peer that does not advertise their feature (11.3, 11.4)',
} as const

export type MutantName = keyof typeof MUTANTS

let active: string | undefined | null = null

/** The mutant named by `BARID_MUTANT`, if any (read once). */
export function activeMutant(): string | undefined {
  if (active === null) active = process.env.BARID_MUTANT || undefined
  return active
}

/**
 * True when this process runs as mutant `name`: the caller then skips its rule.
 *
 * @example
 * ```ts
 * if (!ok && !mutant('accept-bad-signature')) throw new BaridError('ERR_FED_SIGNATURE_INVALID', '…')
 * ```
 */
export function mutant(name: MutantName): boolean {
  return activeMutant() === name
}

/** True when `name` is a known mutant. */
export function isMutantName(name: string): name is MutantName {
  return Object.hasOwn(MUTANTS, name)
}
