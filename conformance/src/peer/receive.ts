/**
 * @module peer/receive
 * What the harness peer does with a transaction a node under test sends it (spec 11.4), as a
 * well-behaved receiving node: verify each letter with the sending operator's certification,
 * deliver it at most once per mailbox, issue `relay-accepted` and `delivered` records for
 * registered mail, keep returned evidence, and answer per recipient. Anything the sending node
 * got wrong is recorded as a violation with the clause it breaks.
 */
import {
  computeCiphertextDigest,
  createEvidence,
  fromBase64Url,
  inspectLetter,
  isBaridError,
  parseMailboxAddress,
  parseSenderDisplay,
  toBase64Url,
  toHex,
  verifyEvidence,
  type ResolveEvidenceKey,
} from '@barid/core'
import type { OperatorIdentity } from './identity.js'
import type { VerifiedKeyCertificate } from './key-certificate.js'

export interface Delivery {
  letterId: string
  recipient: string
  digest: string
  kind: string
  from: string
  bytes: Uint8Array
  /** base64url relay-accepted and delivered records (registered mail). */
  evidence: string[]
  submission: Uint8Array | undefined
  at: number
}

export interface ReturnedEvidence {
  letterId: string
  recipient: string | undefined
  type: string
  issuer: string
  prev: string | null
  bytes: Uint8Array
}

export interface SentByPeer {
  letterId: string
  digest: string
  recipients: string[]
}

/** The peer's state that transactions change. */
export interface ReceiverState {
  self: OperatorIdentity
  /** Verifies a mailbox certificate (13.4) of `address` for `use`, in the federation's form. */
  verifyMailboxCertificate(
    certificate: unknown,
    address: string,
    use: 'enc' | 'sig',
  ): Promise<VerifiedKeyCertificate>
  resolveEvidenceKey: ResolveEvidenceKey
  now: () => number
  deliveries: Map<string, Delivery>
  /** Letters the peer sent, so returned evidence can be matched. */
  sent: Map<string, SentByPeer>
  returned: ReturnedEvidence[]
  blobs: Map<string, Uint8Array>
  violation(clause: string, what: string): void
}

export const deliveryKey = (letterId: string, recipient: string) => `${letterId} ${recipient}`

type RecipientAnswer = { address: string; status: string; code?: string; evidence: string[] }

async function issue(
  st: ReceiverState,
  o: {
    type: 'relay-accepted' | 'delivered' | 'not-delivered'
    letterId: string
    digest: Uint8Array
    recipient: string
    prev: Uint8Array
    reason?: string
  },
) {
  const e = await createEvidence({
    type: o.type,
    letterId: o.letterId,
    letterDigest: o.digest,
    issuer: st.self.operator,
    recipient: o.recipient,
    prev: o.prev,
    time: st.now(),
    key: { privateKey: st.self.evidence.privateKey, kid: st.self.evidence.kid },
    ...(o.reason ? { reason: o.reason as never } : {}),
  })
  return e
}

async function letterEntry(
  st: ReceiverState,
  from: string,
  raw: Record<string, unknown>,
): Promise<{ id: string | null; code?: string; recipients: RecipientAnswer[] }> {
  const recipients = Array.isArray(raw.recipients) ? (raw.recipients as string[]) : []
  const refuse = (code: string, status = 'not-delivered') => ({
    id: null,
    code,
    recipients: recipients.map((address) => ({ address, status, code, evidence: [] })),
  })
  if (typeof raw.letter !== 'string' || typeof raw.senderCertificate !== 'string') {
    st.violation('11.4-14', `${from} sent a letter entry without letter or senderCertificate`)
    return refuse('ERR_INVALID_ARGUMENT')
  }
  if ('senderDisplay' in raw) {
    try {
      parseSenderDisplay(raw.senderDisplay)
    } catch {
      // A receiver refuses the whole body (11.4); the peer answers on, so that the check that
      // sent the letter still sees it, and reports the departure.
      st.violation('11.4-21', `${from} sent a malformed senderDisplay`)
    }
  }
  const deliverBefore = typeof raw.deliverBefore === 'string' ? Date.parse(raw.deliverBefore) : NaN
  if (!Number.isFinite(deliverBefore))
    st.violation('11.4-14', `${from} sent a letter entry without a valid deliverBefore`)
  const bytes = fromBase64Url(raw.letter)
  const now = st.now()
  let inspected
  try {
    inspected = await inspectLetter(bytes, {
      now,
      checkExpiry: false,
      resolveSenderKey: async (kid, header) => {
        const ck = await st.verifyMailboxCertificate(raw.senderCertificate, header.sender, 'sig')
        if (ck.kid !== toBase64Url(kid))
          // Final, not a retry: the certificate the sender chose does not vouch for this key (11.4).
          throw Object.assign(new Error('certified key is not the signing key'), {
            code: 'ERR_SENDER_MISMATCH',
          })
        return ck.handle.publicKey
      },
    })
  } catch (e) {
    const code = isBaridError(e) ? e.code : 'ERR_SIGNATURE_INVALID'
    st.violation(
      '10.5-1',
      `${from} relayed a letter that does not verify with its certification (${code})`,
    )
    return refuse(code)
  }
  const h = inspected.header
  if (parseMailboxAddress(h.sender).operator !== from)
    st.violation('11.4-7', `${from} relayed a letter of another operator's sender`)
  for (const r of recipients) {
    if (
      !(h.recipients as readonly string[]).includes(r) ||
      parseMailboxAddress(r).operator !== st.self.operator
    ) {
      st.violation(
        '11.4-1',
        `${from} sent a recipient that the letter does not name or this peer does not serve`,
      )
      return { ...refuse('ERR_MISROUTED'), id: inspected.id }
    }
  }
  for (const a of h.attachments) {
    const blob = st.blobs.get(toHex(a.sha256))
    if (!blob || blob.byteLength !== a.size) {
      st.violation('11.5-1', `${from} sent a letter before the peer held its attachment`)
      return { ...refuse('ERR_ATTACHMENT_MISSING', 'retry'), id: inspected.id }
    }
  }
  let submission: Uint8Array | undefined
  if (h.kind === 'registered') {
    const ev = Array.isArray(raw.evidence) ? (raw.evidence as string[]) : []
    try {
      if (typeof ev[0] !== 'string') throw new Error('no submission record')
      submission = fromBase64Url(ev[0])
      const v = await verifyEvidence(submission, { resolveKey: st.resolveEvidenceKey })
      if (
        v.record.type !== 'submission-accepted' ||
        v.record.issuer !== from ||
        v.record.letterId !== inspected.id ||
        toHex(v.record.letterDigest) !== toHex(inspected.digest)
      )
        throw new Error('not the submission record of this letter')
    } catch (e) {
      st.violation(
        '14.5-1',
        `${from} sent registered mail without a valid submission-accepted record: ${(e as Error).message}`,
      )
      return { ...refuse('ERR_EVIDENCE_MALFORMED'), id: inspected.id }
    }
  }
  const out: RecipientAnswer[] = []
  for (const address of recipients) {
    const key = deliveryKey(inspected.id, address)
    const prior = st.deliveries.get(key)
    if (prior) {
      out.push({ address, status: 'delivered', evidence: prior.evidence })
      continue
    }
    if (now > deliverBefore) {
      const ev = submission
        ? [
            toBase64Url(
              (
                await issue(st, {
                  type: 'not-delivered',
                  letterId: inspected.id,
                  digest: inspected.digest,
                  recipient: address,
                  prev: await sha(submission),
                  reason: 'ERR_DELIVERY_EXPIRED',
                })
              ).bytes,
            ),
          ]
        : []
      out.push({ address, status: 'not-delivered', code: 'ERR_DELIVERY_EXPIRED', evidence: ev })
      continue
    }
    const evidence: string[] = []
    if (submission) {
      const relay = await issue(st, {
        type: 'relay-accepted',
        letterId: inspected.id,
        digest: inspected.digest,
        recipient: address,
        prev: await sha(submission),
      })
      const delivered = await issue(st, {
        type: 'delivered',
        letterId: inspected.id,
        digest: inspected.digest,
        recipient: address,
        prev: relay.digest,
      })
      evidence.push(toBase64Url(relay.bytes), toBase64Url(delivered.bytes))
    }
    st.deliveries.set(key, {
      letterId: inspected.id,
      recipient: address,
      digest: toHex(inspected.digest),
      kind: h.kind,
      from,
      bytes,
      evidence,
      submission,
      at: now,
    })
    out.push({ address, status: 'delivered', evidence })
  }
  return { id: inspected.id, recipients: out }
}

async function sha(b: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>))
}

/**
 * Processes one transaction body from node operator `from`; returns the 11.4 answer.
 *
 * @example
 * ```ts
 * const answer = await receiveTransaction(state, 'post.eg', JSON.parse(text))
 * ```
 */
export async function receiveTransaction(
  st: ReceiverState,
  from: string,
  body: unknown,
): Promise<{ letters: unknown[]; evidence: unknown[] }> {
  const b = (body ?? {}) as { letters?: unknown; evidence?: unknown }
  const letters = Array.isArray(b.letters) ? b.letters : []
  const evidence = Array.isArray(b.evidence) ? b.evidence : []
  if (letters.length + evidence.length > 100)
    st.violation(
      '11.4-3',
      `${from} sent a transaction of ${letters.length + evidence.length} items`,
    )
  const out: { letters: unknown[]; evidence: unknown[] } = { letters: [], evidence: [] }
  for (const [index, raw] of letters.entries()) {
    const r = await letterEntry(st, from, (raw ?? {}) as Record<string, unknown>)
    out.letters.push({ index, ...r })
  }
  for (const [index, raw] of evidence.entries()) {
    try {
      const bytes = fromBase64Url((raw as { record: string }).record)
      const v = await verifyEvidence(bytes, { resolveKey: st.resolveEvidenceKey })
      const sent = st.sent.get(v.record.letterId)
      if (v.record.issuer !== from) throw new Error('ERR_FED_ORIGIN_MISMATCH')
      if (!sent) throw new Error('ERR_NOT_FOUND')
      st.returned.push({
        letterId: v.record.letterId,
        recipient: v.record.recipient,
        type: v.record.type,
        issuer: v.record.issuer,
        prev: v.record.prev ? toHex(v.record.prev) : null,
        bytes,
      })
      out.evidence.push({ index, status: 'accepted' })
    } catch (e) {
      st.violation(
        '14.5-1',
        `${from} returned evidence that does not verify or is not about a letter this peer sent`,
      )
      out.evidence.push({
        index,
        status: 'rejected',
        code: isBaridError(e) ? e.code : (e as Error).message,
      })
    }
  }
  return out
}

/** Stores an uploaded blob after checking its digest (11.5). */
export async function receiveBlob(
  st: ReceiverState,
  digest: string,
  bytes: Uint8Array,
): Promise<boolean> {
  const d = await computeCiphertextDigest(bytes)
  if (toHex(d.sha256) !== digest) return false
  st.blobs.set(digest, bytes)
  return true
}
