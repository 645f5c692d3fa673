/**
 * @module sender/sender-client
 * The client a sender organisation (an agency, a bank) uses with its operator's sender API
 * (spec 12): look up a recipient and verify their keys, seal the letter here, upload the
 * encrypted attachments, submit, and follow status and evidence. The organisation's private
 * keys never leave this process; the node sees ciphertext and the signed header only.
 */
import { check } from '../args/check.js'
import * as shape from '../args/shapes.js'
import { BaridError, parseMailboxAddress, type KeyPair } from '../core.js'
import { toLookupQuery, type LookupQuery, type Recipient } from '../directory/lookup.js'
import { fetchEvidenceBundle, type EvidenceBundleOptions } from '../evidence/bundle.js'
import { verifyTrail, type EvidenceTrail } from '../evidence/trail.js'
import type { RetryPolicy } from '../http/retry-policy.js'
import { createTransport, type FetchLike } from '../http/transport.js'
import { createAccount, type Account } from '../mailbox/account.js'
import { createMailbox, type Mailbox } from '../mailbox/mailbox.js'
import {
  requireActive,
  sealOutgoing,
  type LetterContentInput,
  type SealedSubmission,
} from '../letters/seal.js'
import { trustFromNode } from '../trust/node-trust.js'
import type { KeyTrust } from '../trust/key-trust.js'
import type { LetterStatus, RegisteredKey } from '../types.js'
import { runBatch, type BatchOutcome, type SendBatchOptions } from './batch.js'
import { keyExpiryWatcher, type KeyExpiring } from './key-expiry.js'

export type { KeyExpiring }

/** Options of {@link createSenderClient}. */
export interface SenderClientOptions {
  /** The operator's node, e.g. `https://barid.post.eg`. */
  baseUrl: string
  /** `barid_sk_…`, issued by the operator (spec 12.1). */
  apiKey: string
  /** The organisation's signing key (Ed25519 or ECDSA P-256). */
  signingKey: KeyPair
  /** The organisation's encryption key (X25519 or ECDH P-256): replies and sent copies. */
  encryptionKey: KeyPair
  /** The organisation's mailbox address; learned from key registration when absent. */
  address?: string
  /**
   * The federation trust list that recipients' key certificates and evidence are checked
   * against (spec 20, 21.3). Default: the list the node serves, verified with the governance
   * keys it names (trust in the channel); pass `trustFromNode(url, { governanceKeys })` or
   * `await trustFromTrustList(...)` (async) to anchor it in keys obtained out of band. Anything
   * else, a Promise included, is refused with `ERR_INVALID_ARGUMENT`.
   */
  trust?: KeyTrust
  /** Default language of letters (BCP 47). Default `en`. */
  lang?: string
  fetch?: FetchLike
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number
  /** Per-attachment upload timeout; default none. */
  uploadTimeoutMs?: number
  retry?: Partial<RetryPolicy>
  now?: () => number
  /**
   * Called when the node says the API key ends (spec 12.1 `Api-Key-Expires`): the operator
   * rotated it and it works only until `expiresAt`. Called once per end, on whichever call's
   * answer first carries it; alert whoever holds the key so that the new one is in use before
   * then. What it throws is ignored. Without it the client says nothing.
   */
  onKeyExpiring?: (e: KeyExpiring) => void
}

/** A letter to send: recipients and content. */
export interface SendInput extends LetterContentInput {
  /** Identifier(s) (`dk:cpr:…`) or mailbox address(es). */
  to: string | LookupQuery | readonly (string | LookupQuery)[]
}

/** The sender API client. */
export interface SenderClient {
  readonly baseUrl: string
  /** The organisation's mailbox address. */
  address(): Promise<string>
  /** Registers the signing and encryption keys (idempotent; done on first send if not before). */
  registerKeys(o?: { label?: string }): Promise<RegisteredKey[]>
  listKeys: Account['listKeys']
  revokeKey: Account['revokeKey']
  /** Directory lookup with verified key certifications. */
  lookup(q: string | LookupQuery): Promise<Recipient>
  /** Looks up the recipients and seals the letter here; submit it with {@link SenderClient.submit}. */
  seal(input: SendInput): Promise<SealedSubmission>
  /** Uploads the attachments and submits a sealed letter (retries are safe with the same key). */
  submit(sealed: SealedSubmission, o?: { idempotencyKey?: string }): Promise<LetterStatus>
  /** `seal` then `submit`. */
  send(input: SendInput & { idempotencyKey?: string }): Promise<LetterStatus>
  /** Many letters: progress callback and a result per letter. */
  sendBatch(inputs: readonly SendInput[], o?: SendBatchOptions): Promise<BatchOutcome>
  /** Status of a letter this organisation sent. */
  status(letterId: string): Promise<LetterStatus>
  /** Polls the status until `until` holds. */
  waitForStatus(
    letterId: string,
    until: (s: LetterStatus) => boolean,
    o?: { timeoutMs?: number; intervalMs?: number },
  ): Promise<LetterStatus>
  /** The letter's evidence records, verified where the issuers' keys are trusted. */
  evidence(letterId: string): Promise<EvidenceTrail>
  /**
   * The evidence bundle of a recipient's chain (spec 17.5, 21.7): canonical CBOR to keep, which
   * anyone verifies offline (`barid evidence verify`, core's `verifyEvidenceBundle`) with the
   * records' log proofs and witnesses; `waitForLog` waits until every record has its proof.
   */
  evidenceBundle(letterId: string, o?: EvidenceBundleOptions): Promise<Uint8Array>
  /** The organisation's own mailbox: replies from citizens (spec 12.9). */
  readonly inbox: Mailbox
}

/**
 * True when every recipient's copy has an outcome: `delivered` (taken by the recipient's node)
 * or `not-delivered`. For registered mail `delivered` is not always the last word: when the
 * recipient's node later gives the letter up (a resident served on paper whose letter cannot be
 * printed), its record turns the state to `not-delivered` (spec 17.5); ask for the status again,
 * or read the evidence chain, for the outcome after that.
 */
export function allSettled(s: LetterStatus): boolean {
  check(s, shape.letterStatus, 'status')
  return s.recipients.every((r) => r.state === 'delivered' || r.state === 'not-delivered')
}

/**
 * Wraps `lookup` so that each recipient is asked for once while the wrapper lives; concurrent
 * asks share one request, and a failed ask is forgotten so that the next one tries again.
 */
function lookupOncePerRun(
  lookup: (q: string | LookupQuery) => Promise<Recipient>,
): (q: string | LookupQuery) => Promise<Recipient> {
  const seen = new Map<string, Promise<Recipient>>()
  return (q) => {
    const query = toLookupQuery(q)
    const key = 'identifier' in query ? `i:${query.identifier}` : `a:${query.address}`
    let answer = seen.get(key)
    if (!answer) {
      answer = lookup(query)
      seen.set(key, answer)
      answer.catch(() => seen.delete(key))
    }
    return answer
  }
}

/**
 * Creates a sender API client.
 *
 * @example
 * ```ts
 * const keys = await generatePartyKeys()
 * const eta = createSenderClient({ baseUrl: 'http://127.0.0.1:7401', apiKey, signingKey: keys.signing, encryptionKey: keys.encryption, trust })
 * const status = await eta.send({ to: 'dk:cpr:0101901234', kind: 'registered', subject: 'Tax 2025', body: 'Dear Mr Jensen, …',
 *   attachments: [{ filename: 'assessment.pdf', mediaType: 'application/pdf', data: pdf }] })
 * const trail = await eta.evidence(status.letterId)
 * const bundle = await eta.evidenceBundle(status.letterId, {
 *   recipient: status.recipients[0]!.address,
 *   waitForLog: true,
 * })
 * ```
 */
export function createSenderClient(o: SenderClientOptions): SenderClient {
  check(o, shape.senderClientOptions, 'options')
  const now = o.now ?? Date.now
  const transport = createTransport({
    baseUrl: o.baseUrl,
    authorization: () => `Bearer ${o.apiKey}`,
    fetch: o.fetch,
    timeoutMs: o.timeoutMs,
    retry: o.retry,
    now,
    ...(o.onKeyExpiring ? { onResponse: keyExpiryWatcher(o.apiKey, o.onKeyExpiring) } : {}),
  })
  const trust =
    o.trust === undefined
      ? trustFromNode(transport.baseUrl, { fetch: o.fetch, now })
      : o.trust
  const keys = { signing: o.signingKey, encryption: o.encryptionKey }
  const account = createAccount({
    transport,
    base: '/v1/sender',
    statusPath: '/letters',
    keys,
    trust,
    now,
    uploadTimeoutMs: o.uploadTimeoutMs ?? 0,
  })
  let registered: Promise<string> | undefined
  const knownAddress = o.address === undefined ? undefined : parseMailboxAddress(o.address).address

  const registerKeys = async (r: { label?: string } = {}) => {
    check(r, shape.registerKeysOptions, 'options')
    const list = await account.registerKeys(r)
    registered = Promise.resolve(list[0]!.address)
    return list
  }
  // Sealing needs the address, and the node needs the keys to verify the letter: the first
  // send registers them (registering again is harmless).
  const ensureRegistered = () => {
    if (!registered) {
      registered = registerKeys().then((l) => l[0]!.address)
      registered.catch(() => (registered = undefined))
    }
    return registered
  }
  const address = async () => knownAddress ?? ensureRegistered()

  const sealWith = async (
    input: SendInput,
    lookup: (q: string | LookupQuery) => Promise<Recipient>,
  ) => {
    check(input, shape.sendInput, 'input')
    const from = await ensureRegistered()
    if (knownAddress !== undefined && from !== knownAddress)
      throw new BaridError(
        'ERR_SENDER_MISMATCH',
        'the API key belongs to another mailbox than the address given',
      )
    const targets = (Array.isArray(input.to) ? input.to : [input.to]) as (string | LookupQuery)[]
    const recipients = []
    for (const q of targets)
      recipients.push(
        requireActive(
          await lookup(q),
          typeof q === 'string' ? q : 'identifier' in q ? q.identifier : q.address,
        ),
      )
    return sealOutgoing({
      sender: { address: from, keys },
      recipients,
      content: input,
      lang: o.lang ?? 'en',
      now: now(),
    })
  }

  const seal = (input: SendInput) => sealWith(input, account.lookup)

  const status = async (letterId: string) => {
    check(letterId, shape.letterId, 'letterId')
    return account.status(letterId)
  }
  return {
    baseUrl: transport.baseUrl,
    address,
    registerKeys,
    listKeys: account.listKeys,
    async revokeKey(kid) {
      check(kid, shape.kid, 'kid')
      return account.revokeKey(kid)
    },
    async lookup(q) {
      check(q, shape.lookupQuery, 'query')
      return account.lookup(q)
    },
    seal,
    async submit(sealed, s) {
      check(sealed, shape.sealedSubmission, 'sealed')
      check(s, shape.submitOptions, 'options')
      return account.submit(sealed, s)
    },
    async send(input) {
      check(input, shape.sendInput, 'input')
      const { idempotencyKey, ...rest } = input
      return account.submit(
        await seal(rest),
        idempotencyKey === undefined ? {} : { idempotencyKey },
      )
    },
    async sendBatch(inputs, b) {
      check(inputs, shape.sendBatchInputs, 'inputs')
      check(b, shape.sendBatchOptions, 'options')
      // A batch often writes to the same recipients many times: each is looked up once per
      // batch, not once per letter (a batch of thousands would otherwise meet the node's
      // lookup rate limit, spec 12.5).
      const lookup = lookupOncePerRun(account.lookup)
      return runBatch(
        { transport, seal: (input: SendInput) => sealWith(input, lookup), upload: account.upload, now },
        inputs,
        b,
      )
    },
    status,
    async waitForStatus(letterId, until, w = {}) {
      check(letterId, shape.letterId, 'letterId')
      check(until, shape.fn, 'until')
      check(w, shape.waitOptions, 'options')
      const deadline = now() + (w.timeoutMs ?? 60_000)
      for (;;) {
        const s = await status(letterId)
        if (until(s)) return s
        if (now() > deadline)
          throw new BaridError(
            'ERR_UNAVAILABLE',
            'the letter did not reach the state waited for in time',
            { details: { reason: 'timeout' } },
          )
        await new Promise((r) => setTimeout(r, w.intervalMs ?? 250))
      }
    },
    async evidence(letterId) {
      const s = await status(letterId)
      // A status the node should not have sent is its fault, not the caller's.
      check(s, shape.letterStatus, 'the status the node answered', 'ERR_INTERNAL')
      return verifyTrail(s, trust)
    },
    async evidenceBundle(letterId, b) {
      check(letterId, shape.letterId, 'letterId')
      check(b, shape.evidenceBundleOptions, 'options')
      // A recipient that is no address fails here with its own code, not as a missing chain.
      if (b?.recipient !== undefined) parseMailboxAddress(b.recipient)
      return fetchEvidenceBundle({ transport, now }, letterId, b)
    },
    inbox: createMailbox({
      transport,
      path: '/v1/sender/inbox',
      keys,
      address,
      signingKeysOf: account.signingKeysOf,
    }),
  }
}
