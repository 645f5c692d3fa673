/**
 * @module demo/evidence-offline
 * What an auditor or a court does with a registered letter's evidence years later (spec 21.7):
 * the sender collects an evidence bundle while the nodes are reachable (the records, the node
 * certificates of their signers from the operators' key-discovery documents, the operators'
 * revocation lists), and anyone verifies it offline with nothing but the bundle, the trust
 * list and the federation's governance key, with core's `verifyEvidenceWithTrust`, exactly as
 * `barid evidence verify` does.
 */
import { readFile, writeFile } from 'node:fs/promises'
import type { KeyTrust } from '@barid/client'
import {
  BaridError,
  DiscoveryClient,
  RevocationCache,
  TrustStore,
  boundedGet,
  createEvidenceBundle,
  readEvidenceBundle,
  revocationListUrl,
  verifyEvidenceWithTrust,
  verifyTrustList,
  type TrustList,
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

/** One record of a verified bundle, for printing. */
export interface OfflineRecord {
  type: string
  issuer: string
  /** Milliseconds. */
  time: number
  recipient: string | undefined
  reason: string | undefined
  certificateSerial: string
  caName: string | undefined
}

/**
 * Verifies a bundle file offline: the trust list file under the governance keys (freshness not
 * required), the revocation lists in the bundle under the listed CAs, then every record and its
 * signer at the record's time. Nothing is fetched.
 *
 * @example
 * ```ts
 * const { records, list } = await verifyBundleOffline(file, { trustListFile, governanceKeys })
 * ```
 */
export async function verifyBundleOffline(
  file: string,
  o: { trustListFile: string; governanceKeys: readonly Record<string, unknown>[] },
): Promise<{ records: OfflineRecord[]; list: TrustList; revocation: 'checked' | 'not-checked' }> {
  const now = Math.floor(Date.now() / 1000)
  const bundle = readEvidenceBundle(new Uint8Array(await readFile(file)))
  const list = await verifyTrustList(new Uint8Array(await readFile(o.trustListFile)), {
    governanceKeys: o.governanceKeys,
    now,
  })
  // No transport: only the lists in the bundle, each under the operator whose CA signed it.
  const revocation = new RevocationCache({ now: () => now, maxStaleness: Number.MAX_SAFE_INTEGER })
  const probe = await TrustStore.open(list)
  for (const crl of bundle.revocationLists) {
    let installed = false
    for (const op of list.operators) {
      installed = await revocation
        .install(crl, { operator: op.id, cas: probe.casOf(op.id) })
        .then(() => true)
        .catch(() => false)
      if (installed) break
    }
    if (!installed)
      throw new BaridError(
        'ERR_REVOCATION_LIST_UNTRUSTED',
        'a revocation list in the bundle is not trusted',
      )
  }
  const checked = bundle.revocationLists.length > 0
  const store = await TrustStore.open(list, {
    now: () => now,
    ...(checked ? { revocation } : {}),
  })
  const trail = await verifyEvidenceWithTrust(bundle.records, {
    store,
    keys: { certificates: bundle.certificates },
    offline: true,
  })
  return {
    list,
    revocation: checked ? 'checked' : 'not-checked',
    records: trail.map((t) => ({
      type: t.record.type,
      issuer: t.record.issuer,
      time: t.record.time,
      recipient: t.record.recipient,
      reason: t.record.reason,
      certificateSerial: t.peer.certificate.serialNumber,
      caName: t.peer.ca.subject.commonName,
    })),
  }
}
