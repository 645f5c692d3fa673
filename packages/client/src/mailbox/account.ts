/**
 * @module mailbox/account
 * What any mailbox holder does besides reading its mailbox, whether a sender organisation
 * (`/v1/sender`, spec 12) or a citizen (`/v1/citizen`, spec 13): register its public keys and
 * check the node's certification of them, look up and verify recipients' keys, upload
 * encrypted attachments, and submit sealed letters with an `Idempotency-Key`.
 */
import {
  BaridError,
  MAX_IN_MEMORY_ATTACHMENT_SIZE,
  toBase64Url,
  type KeyListEntry,
  type KeyListView,
} from '../core.js'
import {
  toLookupQuery,
  verifyLookupResult,
  type LookupQuery,
  type Recipient,
} from '../directory/lookup.js'
import type { Transport } from '../http/transport.js'
import { uploadBody } from '../http/upload-body.js'
import { verifyKeyCertificate, type CertifiedKey } from '../keys/key-certificate.js'
import type { PartyKeys } from '../keys/party-keys.js'
import type { PreparedAttachment } from '../letters/attachments.js'
import type { SealedSubmission } from '../letters/seal.js'
import type { KeyTrust } from '../trust/key-trust.js'
import type { LetterStatus, RegisteredKey } from '../types.js'

/** How long a looked-up sender's signing keys are reused when opening letters. */
const SIGNING_KEY_CACHE_MS = 60_000

/** What {@link createAccount} needs. */
export interface AccountContext {
  transport: Transport
  /** `/v1/sender` or `/v1/citizen`. */
  base: string
  /** Path of a sent letter's status below `base`: `/letters` (sender) or `/sent` (citizen). */
  statusPath: string
  keys: PartyKeys
  trust: KeyTrust
  now: () => number
  /** Timeout of one attachment upload (0: none). */
  uploadTimeoutMs: number
}

/** The account operations shared by both clients. */
export interface Account {
  /** Registers the signing and encryption keys (idempotent) and checks their certifications. */
  registerKeys(o?: { label?: string }): Promise<RegisteredKey[]>
  /** Keys registered for the mailbox. */
  listKeys(): Promise<Omit<KeyListEntry, 'jwk'>[]>
  /** Revokes a key at once. */
  revokeKey(kid: string): Promise<void>
  /** Looks up a recipient and verifies its key certifications. */
  lookup(q: string | LookupQuery): Promise<Recipient>
  /** Certified signing keys of an address (cached briefly). */
  signingKeysOf(address: string): Promise<readonly CertifiedKey[]>
  /** Uploads one encrypted attachment (already present: nothing is sent twice). */
  upload(a: PreparedAttachment): Promise<void>
  /** Uploads a sealed letter's attachments, then submits the letter. */
  submit(sealed: SealedSubmission, o?: { idempotencyKey?: string }): Promise<LetterStatus>
  /** Status and evidence of a letter this mailbox sent. */
  status(letterId: string): Promise<LetterStatus>
}

/**
 * @example
 * ```ts
 * const account = createAccount({ transport, base: '/v1/sender', statusPath: '/letters', keys, trust, now: Date.now, uploadTimeoutMs: 0 })
 * await account.registerKeys()
 * ```
 */
export function createAccount(ctx: AccountContext): Account {
  const t = ctx.transport
  const signingCache = new Map<string, { at: number; keys: Promise<readonly CertifiedKey[]> }>()

  async function lookup(q: string | LookupQuery): Promise<Recipient> {
    const query = toLookupQuery(q)
    const { data } = await t.json<unknown>({
      method: 'GET',
      path: `${ctx.base}/directory`,
      query: { ...query },
      repeatable: true,
    })
    return verifyLookupResult(data, { trust: ctx.trust, query, now: ctx.now() })
  }

  async function upload(a: PreparedAttachment): Promise<void> {
    await t.send({
      method: 'PUT',
      path: `${ctx.base}/attachments/${a.digest}`,
      headers: { 'content-type': 'application/octet-stream' },
      // Called per attempt: a retry gets a fresh body, the last one may be partly consumed.
      body: async () => (await uploadBody(a.body(), MAX_IN_MEMORY_ATTACHMENT_SIZE)) as BodyInit,
      repeatable: true, // addressed by its digest: the node keeps one copy
      timeoutMs: ctx.uploadTimeoutMs,
    })
  }

  return {
    async registerKeys(o = {}) {
      const out: RegisteredKey[] = []
      for (const [use, pair] of [
        ['sig', ctx.keys.signing],
        ['enc', ctx.keys.encryption],
      ] as const) {
        const { data } = await t.json<RegisteredKey>({
          method: 'POST',
          path: `${ctx.base}/keys`,
          json: { use, jwk: pair.publicJwk, ...(o.label === undefined ? {} : { label: o.label }) },
          repeatable: true, // registering the same key again answers 200 with the same certificate
        })
        const cert = await verifyKeyCertificate(data.certificate, {
          trust: ctx.trust,
          address: data.address,
          use,
          now: ctx.now(),
        })
        if (cert.kid !== pair.kidBase64Url || data.kid !== pair.kidBase64Url)
          throw new BaridError(
            'ERR_KEY_INVALID',
            'the node certified another key than the one registered',
          )
        // A node older than the `displaced` field sends none: no displacement is known.
        const displaced = Array.isArray(data.displaced)
          ? data.displaced.filter((k): k is string => typeof k === 'string')
          : []
        out.push({
          kid: data.kid,
          use,
          certificate: data.certificate,
          address: data.address,
          displaced,
        })
      }
      return out
    },
    async listKeys() {
      return (
        await t.json<KeyListView>({ method: 'GET', path: `${ctx.base}/keys`, repeatable: true })
      ).data.keys
    },
    async revokeKey(kid) {
      await t.send({
        method: 'DELETE',
        path: `${ctx.base}/keys/${encodeURIComponent(kid)}`,
        repeatable: true,
      })
    },
    lookup,
    signingKeysOf(address) {
      const now = ctx.now()
      const hit = signingCache.get(address)
      if (hit && now - hit.at < SIGNING_KEY_CACHE_MS) return hit.keys
      const keys = lookup({ address }).then((r) => (r.status === 'active' ? r.signingKeys : []))
      signingCache.set(address, { at: now, keys })
      keys.catch(() => signingCache.delete(address))
      if (signingCache.size > 1000) signingCache.delete(signingCache.keys().next().value!)
      return keys
    },
    upload,
    async submit(sealed, o = {}) {
      for (const a of sealed.attachments) await upload(a)
      const { data } = await t.json<LetterStatus>({
        method: 'POST',
        path: `${ctx.base}/letters`,
        json: { letter: toBase64Url(sealed.bytes) },
        // The letter id is unique per sealing, so it makes a good default key (spec 12.2).
        headers: { 'idempotency-key': o.idempotencyKey ?? `letter-${sealed.letterId}` },
        repeatable: true,
      })
      return data
    },
    async status(letterId) {
      return (
        await t.json<LetterStatus>({
          method: 'GET',
          path: `${ctx.base}${ctx.statusPath}/${encodeURIComponent(letterId)}`,
          repeatable: true,
        })
      ).data
    },
  }
}
