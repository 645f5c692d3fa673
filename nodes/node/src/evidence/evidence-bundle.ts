/**
 * @module evidence/evidence-bundle
 * Exporting a recipient's evidence chain as an evidence bundle (spec 21.7, 17.5) that anyone can
 * verify offline with `barid evidence verify`, years later: the records, the node certificates
 * of their signers, and for each record its inclusion proof in its issuer's transparency log with
 * the signed checkpoint and the witnesses' cosignatures (spec 16.8). Proofs for records of this
 * node come from its own log; for a peer's records they are fetched from the peer's log API.
 * The retirement time of every retired key among the bundle's certificates travels too (spec
 * 21.4, 21.7), so that an offline verifier refuses what such a key signed after it, and the
 * revocation list of every CA that issued one of them (`bundle-revocations.ts`), so that it
 * checks revocation.
 */
import {
  BaridError,
  CborTag,
  createEvidenceBundle,
  decodeStrict,
  fromBase64Url,
  readInclusionProof,
  toBase64Url,
  type InclusionProof,
} from '../core.js'
import { evidenceChain } from '../letters/submit.js'
import { bundleRevocationLists } from './bundle-revocations.js'
import type { NodeServices } from '../services.js'
import type { EvidenceRow } from '../storage/types.js'

interface Logged {
  record: number
  checkpoint: Uint8Array
  proof: InclusionProof
  cosignatures: Uint8Array[]
}

/** The kid (base64url) in a record's protected header; the record was verified when stored. */
function kidOf(record: Uint8Array): string {
  const t = decodeStrict(record, { tags: new Set([18]), maxBytes: 8192 }) as CborTag
  const prot = decodeStrict((t.value as Uint8Array[])[0]!) as Map<number, unknown>
  return toBase64Url(prot.get(4) as Uint8Array)
}

/** A peer's inclusion proof of one of its records, or undefined when it has none (yet). */
async function peerProof(
  svc: NodeServices,
  row: EvidenceRow,
): Promise<Omit<Logged, 'record'> | undefined> {
  const peer = await svc.directory.getPeer(row.issuer)
  if (!peer?.baseUrl) return undefined
  try {
    const res = await svc.fetch(`${peer.baseUrl}/v1/log/inclusion?evidence=${row.id}`, {
      signal: AbortSignal.timeout(svc.config.delivery.requestTimeoutMs),
      redirect: 'error',
    })
    const text = await res.text()
    if (!res.ok || text.length > 64 * 1024) return undefined
    const j = JSON.parse(text) as { checkpoint?: unknown; proof?: unknown; cosignatures?: unknown }
    if (typeof j.checkpoint !== 'string' || typeof j.proof !== 'string') return undefined
    const cosignatures = Array.isArray(j.cosignatures) ? j.cosignatures.slice(0, 16) : []
    return {
      checkpoint: fromBase64Url(j.checkpoint),
      proof: readInclusionProof(decodeStrict(fromBase64Url(j.proof), { maxItems: 200 })),
      cosignatures: cosignatures
        .filter((c): c is string => typeof c === 'string')
        .map(fromBase64Url),
    }
  } catch {
    // The bundle is still verifiable without this proof; the verifier reports it as not logged.
    return undefined
  }
}

/**
 * The bundle of the chain about `recipient` of a letter this node sent (or, without a
 * recipient, the letter's first record). `ERR_NOT_FOUND` when there is no such chain;
 * `ERR_CERT_REVOCATION_UNAVAILABLE` when the revocation list of a CA that issued one of its
 * certificates is neither held nor can be fetched (spec 21.7).
 *
 * @example
 * ```ts
 * const bytes = await exportEvidenceBundle(svc, letterId, 'lars.jensen@digitalpost.dk')
 * ```
 */
export async function exportEvidenceBundle(
  svc: NodeServices,
  letterId: string,
  recipient: string | undefined,
): Promise<Uint8Array> {
  const rows = await svc.storage.listEvidence(letterId)
  const chain =
    recipient === undefined
      ? rows.filter((r) => r.prev === null && r.recipient === null).slice(0, 1)
      : evidenceChain(rows, recipient)
  if (chain.length === 0) throw new BaridError('ERR_NOT_FOUND', 'no evidence for that recipient')
  const certificates = new Map<string, Uint8Array>()
  // Key id -> retirement time (Unix seconds), from our key ring or the peer's discovery document.
  const retired = new Map<string, number>()
  const noteRetired = (kid: string, retiredAtMs: number | null) => {
    if (retiredAtMs !== null) retired.set(kid, Math.floor(retiredAtMs / 1000))
  }
  const own = svc.trust?.credentials?.nodeCertificate
  for (const row of chain) {
    const kid = kidOf(row.record)
    if (certificates.has(kid)) continue
    if (row.issuer === svc.directory.self && own && kid === svc.keys.evidence.kidBase64Url) {
      certificates.set(kid, own.der)
      // The key signing now may already have a retirement scheduled (a rotation under way).
      const r = svc.trust?.ring.byKid(fromBase64Url(kid))?.retired
      noteRetired(kid, r === undefined ? null : r * 1000)
      continue
    }
    const found = await svc.directory.evidenceKeyByKid(kid)
    if (found?.key.certificate) {
      certificates.set(kid, found.key.certificate.der)
      noteRetired(kid, found.key.retiredAt)
    }
  }
  const log: Logged[] = []
  for (const [record, row] of chain.entries()) {
    if (row.issuer === svc.directory.self) {
      const inc = await svc.registered.log.inclusion(row.id)
      if (!inc) continue
      log.push({
        record,
        checkpoint: inc.checkpoint.bytes,
        proof: inc.proof,
        cosignatures: await svc.storage.listCosignatures(inc.checkpoint.digest),
      })
    } else {
      const p = await peerProof(svc, row)
      if (p) log.push({ record, ...p })
    }
  }
  // After a node key rotation (spec 21.4) a checkpoint or cosignature may be signed by another
  // key than the records: its certificate travels too, so the bundle stays verifiable offline.
  for (const l of log)
    for (const signed of [l.checkpoint, ...l.cosignatures]) {
      const kid = kidOf(signed)
      if (certificates.has(kid)) continue
      const found = await svc.directory.evidenceKeyByKid(kid).catch(() => undefined)
      if (found?.key.certificate) {
        certificates.set(kid, found.key.certificate.der)
        noteRetired(kid, found.key.retiredAt)
      }
    }
  return createEvidenceBundle({
    records: chain.map((r) => r.record),
    certificates: [...certificates.values()],
    revocationLists: await bundleRevocationLists(svc, [...certificates.values()]),
    log,
    retiredKeys: [...retired].map(([kid, at]) => ({ kid: fromBase64Url(kid), retired: at })),
  })
}
