/**
 * @module checks/index
 * Every check of the suite, in the order they run: the cross-cutting checks over everything the
 * run saw come last.
 */
import type { Check } from './check.js'
import { citizenChecks } from './citizen.js'
import { crossChecks } from './cross.js'
import { deliveryChecks } from './delivery.js'
import { discoveryChecks } from './discovery.js'
import { pushChecks } from './push.js'
import { refusedAttachmentChecks } from './refused-attachments.js'
import { returnedEvidenceChecks } from './returned-evidence.js'
import { senderChecks } from './sender.js'
import { senderNameChecks } from './sender-names.js'
import { signatureChecks } from './signatures.js'
import { tamperingChecks } from './tampering.js'
import { transactionChecks } from './transactions.js'
import { transparencyChecks } from './transparency.js'
import { vectorChecks } from './vectors.js'
import { modelChecks } from '../model/model-check.js'

/** All checks, in run order. */
export function allChecks(): Check[] {
  return [
    ...discoveryChecks,
    ...signatureChecks,
    ...transactionChecks,
    ...tamperingChecks,
    ...vectorChecks,
    ...senderChecks,
    ...citizenChecks,
    ...pushChecks,
    ...senderNameChecks,
    ...deliveryChecks,
    ...returnedEvidenceChecks,
    ...refusedAttachmentChecks,
    ...transparencyChecks,
    ...modelChecks,
    ...crossChecks,
  ]
}
