/**
 * @module mutation/catalogue
 * Which checks target each mutant of the reference node (spec 30.7). The names are those of
 * `nodes/node/src/test-control/mutants.ts`; the suite knows them only as names, so it stays a
 * black box. A mutant is caught when at least one of its checks fails.
 */
export const MUTANT_CHECKS: Record<string, string[]> = {
  'accept-bad-signature': ['fed.sig.corrupt'],
  'accept-stale-signature': ['fed.sig.stale', 'fed.sig.future'],
  'accept-unknown-algorithm': ['fed.sig.alg'],
  'accept-replay': ['fed.sig.replay'],
  'ignore-content-digest': ['fed.sig.content-digest'],
  'accept-withdrawn-operator': ['fed.sig.withdrawn'],
  'accept-oversized-batch': ['tx.oversized'],
  'accept-misrouted': ['tx.misrouted'],
  'accept-uncertified-sender': ['tx.sender-mismatch'],
  'ignore-tx-conflict': ['tx.idempotent.conflict'],
  'deliver-after-deadline': ['tx.deadline'],
  'redeliver-duplicate': ['tx.duplicate.after-deadline'],
  'skip-evidence-record': ['tx.deliver.registered'],
  'ignore-exempt': ['tx.recipient.exempt'],
  'expire-ambiguous': ['delivery.ambiguous-deadline'],
  'send-to-withdrawn-operator': ['sender.recipients'],
  'leak-other-letters': ['privacy.letters'],
  'leak-sent-status': ['privacy.sent-status'],
  'ignore-idempotency-key': ['sender.idempotency'],
  'accept-sender-mismatch': ['sender.submit.sender-mismatch'],
  'accept-evidence-digest-mismatch': ['tx.evidence.digest'],
  'settle-unreadable-answer': ['delivery.malformed-answer'],
  'send-unadvertised-members': ['sender.sender-display.features'],
  'relay-unchecked-lookup': ['sender.lookup.peer-answer', 'sender.lookup.expired-key'],
  'log-drop-records': ['log.inclusion'],
}

/** Every mutant name, in catalogue order. */
export function mutantNames(): string[] {
  return Object.keys(MUTANT_CHECKS)
}
