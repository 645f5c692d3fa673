/**
 * @module demo/evidence-offline
 * What an auditor or a court does with a registered letter's evidence years later (spec 21.7):
 * the sender collects an evidence bundle while the nodes are reachable (the records, the node
 * certificates of their signers from the operators' key-discovery documents, the operators'
 * revocation lists), and anyone verifies it offline with nothing but the bundle, the trust
 * list and the federation's governance key, with core's `verifyEvidenceBundle`: the function
 * `barid evidence verify` runs, so the demo checks what the CLI checks (retired keys and log
 * proofs included) and the two cannot drift apart.
 */
import { readFile, writeFile } from 'node:fs/promises'
import type { KeyTrust } from '@barid/client'
import {
  DiscoveryClient,
  boundedGet,
  createEvidenceBundle,
  revocationListUrl,
  verifyEvidenceBundle,
  type VerifiedEvidenceBundle,
} from '../core.js'

/**
 * Collects the bundle for a chain of records and writes it to `file`.
 *
 * @example
 * ```ts
 * await collectBundle(chain, { trust, file: '/tmp/evidence.cbor' })
 * ```
 */
export async function collectBundle(
  records: readonly Uint8Array[],
  o: { trust: KeyTrust; file: string },
): Promise<{ certificates: number; revocationLists: number }> {
  const store = await o.trust.store()
  const discovery = new DiscoveryClient({ trust: store, fetch: (url, init) => fetch(url, init) })
  const certificates: Uint8Array[] = []
  const revocationLists: Uint8Array[] = []
  for (const op of store.list.operators) {
    if (!store.isActiveAt(op.id)) continue
    const doc = await discovery.document(op.id)
    certificates.push(...doc.keys.map((k) => k.certificate.der))
    for (const ca of store.casOf(op.id)) {
      revocationLists.push(
        await boundedGet(revocationListUrl(op.endpoints[0]!, ca), {
          fetch: (url, init) => fetch(url, init),
          timeoutMs: 3000,
          maxBytes: 4 << 20,
          accept: 'application/barid-revocation-list+cose',
        }),
      )
    }
  }
  await writeFile(o.file, createEvidenceBundle({ records, certificates, revocationLists }))
  return { certificates: certificates.length, revocationLists: revocationLists.length }
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
  },
): Promise<VerifiedEvidenceBundle> {
  return verifyEvidenceBundle(new Uint8Array(await readFile(file)), {
    trustList: new Uint8Array(await readFile(o.trustListFile)),
    governanceKeys: o.governanceKeys,
    ...(o.now === undefined ? {} : { now: o.now }),
  })
}
