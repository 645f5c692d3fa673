/**
 * @module demo/evidence-offline
 * What an auditor or a court does with a registered letter's evidence years later (spec 21.7):
 * the agency fetches the evidence bundle of a recipient's chain from its node's sender API with
 * `@barid/client` (`SenderClient.evidenceBundle`), as an integrator keeps it for court: the
 * records, the node certificates and revocation lists to check their signers, retired keys,
 * and each record's inclusion proof in its issuer's log with the witnesses' cosignatures. Anyone
 * verifies it offline with nothing but the bundle, the trust list and the federation's
 * governance key, with core's `verifyEvidenceBundle`: the function `barid evidence verify` runs,
 * so the demo checks what the CLI checks and the two cannot drift apart.
 */
import { readFile, writeFile } from 'node:fs/promises'
import type { SenderClient } from '@barid/client'
import {
  readEvidenceBundle,
  verifyEvidenceBundle,
  type EvidenceBundle,
  type VerifiedEvidenceBundle,
} from '../core.js'

/**
 * Fetches the bundle of `recipient`'s chain once every record in it is in its issuer's log
 * (spec 16.5: within about a second) and its checkpoints were witnessed, and writes it to
 * `file`. `witness` runs a witness round on the nodes: they witness each other's logs every
 * 60 s (spec 16.6), which a demo of a few seconds would not see.
 *
 * @example
 * ```ts
 * const bundle = await fetchBundle(api, letterId, 'lars.jensen@digitalpost.dk', { file, witness })
 * ```
 */
export async function fetchBundle(
  api: SenderClient,
  letterId: string,
  recipient: string,
  o: { file: string; witness: () => Promise<unknown> },
): Promise<EvidenceBundle> {
  // Witnessed before every record is logged, a checkpoint would not cover the letter.
  await api.evidenceBundle(letterId, { recipient, waitForLog: true })
  await o.witness()
  const bytes = await api.evidenceBundle(letterId, { recipient, waitForLog: true })
  await writeFile(o.file, bytes)
  return readEvidenceBundle(bytes)
}

/**
 * Verifies a bundle file offline against the trust list file and the governance keys, with
 * core's `verifyEvidenceBundle` (spec 21.7, as `barid evidence verify`). Nothing is fetched.
 *
 * @example
 * ```ts
 * const v = await verifyBundleOffline(file, { trustListFile, governanceKeys })
 * v.records[0]!.log?.witnesses // who cosigned the checkpoint that shows it in its log
 * ```
 */
export async function verifyBundleOffline(
  file: string,
  o: {
    trustListFile: string
    governanceKeys: readonly Record<string, unknown>[]
    /** The verification time, Unix seconds; default now. */
    now?: number
    /** Independent witnesses each record's checkpoint needs (`--require-witnesses`); default 0. */
    requireWitnesses?: number
  },
): Promise<VerifiedEvidenceBundle> {
  return verifyEvidenceBundle(new Uint8Array(await readFile(file)), {
    trustList: new Uint8Array(await readFile(o.trustListFile)),
    governanceKeys: o.governanceKeys,
    ...(o.now === undefined ? {} : { now: o.now }),
    ...(o.requireWitnesses === undefined ? {} : { requireWitnesses: o.requireWitnesses }),
  })
}
