/**
 * @module args/shapes
 * The shapes of every argument the client's public entry points take, in one table, checked
 * with {@link check} at each entry point. A shape checks what a value is made of, not what it
 * means: a string that is not a valid identifier or address passes here and fails later with
 * its own code (`ERR_IDENTIFIER_INVALID`, `ERR_ADDRESS_INVALID`, ...).
 */
import { BaridError, TrustStore } from '../core.js'
import {
  anyOf,
  arrayOf,
  integer,
  is,
  matching,
  oneOf,
  optional,
  record,
  type Shape,
} from './check.js'
import { keyTrust } from '../trust/check-trust.js'

/** Any string. */
export const text: Shape = is('a string', (v) => typeof v === 'string')

/** A function. */
export const fn: Shape = is('a function', (v) => typeof v === 'function')

/** A boolean. */
export const bool: Shape = is('a boolean', (v) => typeof v === 'boolean')

/** A finite number. */
export const finite: Shape = is('a finite number', (v) => Number.isFinite(v))

/** Bytes. */
export const bytes: Shape = is('a Uint8Array', (v) => v instanceof Uint8Array)

/** A valid `Date`. */
export const date: Shape = is(
  'a valid Date',
  (v) => v instanceof Date && Number.isFinite(v.getTime()),
)

/** Milliseconds of a timer (0 where it means "none"); setTimeout takes at most 2^31 - 1. */
export const millis: Shape = integer(0, 2 ** 31 - 1)

/** What the transport accepts as a node's base URL (trailing slashes are dropped). */
export const BASE_URL = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/

/** A node's base URL. */
export const baseUrl: Shape = is(
  'an absolute http(s) URL without query or fragment',
  (v) => typeof v === 'string' && BASE_URL.test(v.replace(/\/+$/, '')),
)

/** A letter id as the node's paths take it. */
export const letterId: Shape = matching(/^[A-Za-z0-9_.:-]{1,128}$/, 'a letter id')

/** A key id (base64url). */
export const kid: Shape = matching(/^[A-Za-z0-9_-]{1,128}$/, 'a key id (base64url)')

/** An `Idempotency-Key` (spec 12.2: 1 to 255 visible ASCII characters). */
export const idempotencyKey: Shape = matching(
  /^[\x21-\x7e]{1,255}$/,
  'an idempotency key (1 to 255 visible ASCII characters)',
)

const cryptoKey = (type: 'public' | 'private'): Shape =>
  is(
    `a ${type} CryptoKey`,
    (v) => typeof CryptoKey !== 'undefined' && v instanceof CryptoKey && v.type === type,
  )

/** A key pair of `@barid/core` (`generateKeyPair`, `importKeyPair`). */
export const keyPair: Shape = record(
  {
    privateKey: cryptoKey('private'),
    publicKey: cryptoKey('public'),
    publicJwk: record({}),
    kid: bytes,
    kidBase64Url: text,
  },
  'a key pair (generateKeyPair, importKeyPair)',
)

/** A party's keys (`generatePartyKeys`, `importPartyKeys`). */
export const partyKeys: Shape = record(
  { signing: keyPair, encryption: keyPair },
  'party keys {signing, encryption} (generatePartyKeys, importPartyKeys)',
)

/** A `KeyTrust`; a Promise in its place is refused with a message saying to await it. */
export { keyTrust }

/** A core `TrustStore`. */
export const trustStore: Shape = is('a TrustStore', (v) => v instanceof TrustStore)

/** A governance key: a public JWK or a key handle (never a string or a number). */
export const governanceKey: Shape = record({}, 'a public JWK or a public key handle')

/** A retry policy, in part. */
export const retryPolicy: Shape = record({
  retries: optional(integer(0, 100)),
  baseDelayMs: optional(millis),
  maxDelayMs: optional(millis),
  maxRetryAfterMs: optional(millis),
})

/** A whole retry policy. */
export const fullRetryPolicy: Shape = record({
  retries: integer(0, 100),
  baseDelayMs: millis,
  maxDelayMs: millis,
  maxRetryAfterMs: millis,
})

/** `{ label? }` of `registerKeys`. */
export const registerKeysOptions: Shape = optional(record({ label: optional(text) }))

/** A lookup query: an identifier, an address, `{ identifier }` or `{ address }`. */
export const lookupQuery: Shape = anyOf(
  'an identifier or address string, or {identifier} or {address}',
  text,
  record({ identifier: text }),
  record({ address: text }),
)

/** An attachment to send. */
export const attachmentInput: Shape = record({
  filename: text,
  mediaType: text,
  data: optional(
    anyOf(
      'a Uint8Array or a Blob',
      bytes,
      is(
        'a Blob',
        (v) => typeof v === 'object' && v !== null && typeof (v as Blob).stream === 'function',
      ),
    ),
  ),
  stream: optional(fn),
})

/** The content fields of a letter or a reply. */
const contentFields = {
  subject: optional(text),
  body: anyOf('a string or a Uint8Array', text, bytes),
  contentType: optional(text),
  lang: optional(text),
  attachments: optional(arrayOf(attachmentInput)),
  expires: optional(date),
  idempotencyKey: optional(idempotencyKey),
}

/** A letter to send (`seal`, `send`, each letter of `sendBatch`). */
export const sendInput: Shape = record({
  to: anyOf(
    'a recipient (identifier, address, {identifier} or {address}) or a non-empty array of them',
    lookupQuery,
    arrayOf(lookupQuery, { min: 1 }),
  ),
  kind: optional(oneOf('letter', 'registered')),
  ...contentFields,
  threadId: optional(text),
  replyTo: optional(text),
})

/** A reply's content. */
export const replyInput: Shape = record(contentFields)

const hex64 = matching(/^[0-9a-f]{64}$/, 'a SHA-256 digest in lower-case hex')

/** A sealed letter (`seal`), to `submit`. */
export const sealedSubmission: Shape = record(
  {
    letterId: text,
    bytes,
    attachments: arrayOf(record({ digest: hex64, size: integer(0), body: fn })),
  },
  'a sealed letter (from seal)',
)

/** `{ idempotencyKey? }` of `submit`. */
export const submitOptions: Shape = optional(record({ idempotencyKey: optional(idempotencyKey) }))

/** The letters of `sendBatch`: each is checked as it is sealed, and rejected alone if wrong. */
export const sendBatchInputs: Shape = arrayOf(is('anything', () => true), { min: 1 })

/** Options of `sendBatch`. */
export const sendBatchOptions: Shape = optional(
  record({
    onProgress: optional(fn),
    chunkSize: optional(integer(1, 10_000)),
    concurrency: optional(integer(1, 1000)),
    pollIntervalMs: optional(millis),
    timeoutMs: optional(millis),
    // The batch number is appended: `${prefix}-${n}` must stay an idempotency key.
    idempotencyKeyPrefix: optional(
      matching(/^[\x21-\x7e]{1,240}$/, '1 to 240 visible ASCII characters'),
    ),
  }),
)

/** Options of `waitForStatus`. */
export const waitOptions: Shape = optional(
  record({ timeoutMs: optional(millis), intervalMs: optional(millis) }),
)

/** Options of `evidenceBundle`. */
export const evidenceBundleOptions: Shape = optional(
  record({
    recipient: optional(text),
    waitForLog: optional(bool),
    timeoutMs: optional(millis),
    intervalMs: optional(millis),
  }),
)

/** Options of a mailbox listing. */
export const listOptions: Shape = optional(
  record({
    limit: optional(integer(1, 200)),
    before: optional(integer(0)),
    unread: optional(bool),
  }),
)

const transportFields = {
  baseUrl,
  fetch: optional(fn),
  timeoutMs: optional(millis),
  uploadTimeoutMs: optional(millis),
  retry: optional(retryPolicy),
  now: optional(fn),
  trust: optional(keyTrust),
  lang: optional(text),
}

/** Options of `createSenderClient`. */
export const senderClientOptions: Shape = record({
  ...transportFields,
  apiKey: matching(/^barid_sk_[\x21-\x7e]+$/, 'a barid_sk_ API key'),
  signingKey: keyPair,
  encryptionKey: keyPair,
  address: optional(text),
  onKeyExpiring: optional(fn),
})

const reconnect = optional(record({ baseDelayMs: optional(millis), maxDelayMs: optional(millis) }))

/** Options of `subscribe`. */
export const subscribeOptions: Shape = optional(
  record({
    after: optional(integer(0)),
    onReady: optional(fn),
    onError: optional(fn),
    onClose: optional(fn),
    reconnect,
    idleTimeoutMs: optional(millis),
    webSocket: optional(fn),
    random: optional(fn),
  }),
)

/** The target of `subscribe`. */
export const subscribeTarget: Shape = record({ baseUrl, token: fn })

/** Options of `createCitizenClient`. */
export const citizenClientOptions: Shape = record({
  ...transportFields,
  token: anyOf('a non-empty string or a function', fn, matching(/^[\x21-\x7e]+$/, 'a token')),
  keys: partyKeys,
  push: optional(
    record({ webSocket: optional(fn), reconnect, idleTimeoutMs: optional(millis) }),
  ),
})

/** Options of `requestDevToken`. */
export const devTokenOptions: Shape = record({ baseUrl, identifier: text, fetch: optional(fn) })

/** `{ extractable? }` of `importPartyKeys`. */
export const extractableOptions: Shape = optional(record({ extractable: optional(bool) }))

/** Options of `generatePartyKeys`. */
export const generatePartyKeysOptions: Shape = optional(
  record({
    extractable: optional(bool),
    signing: optional(oneOf('Ed25519', 'ES256')),
    encryption: optional(oneOf('X25519', 'ECDH-P256')),
  }),
)

/** Options of `verifyKeyCertificate`. */
export const verifyKeyCertificateOptions: Shape = record({
  trust: keyTrust,
  address: text,
  use: oneOf('enc', 'sig'),
  now: optional(finite),
})

/** Options of `verifyLookupResult`. */
export const verifyLookupOptions: Shape = record({
  trust: keyTrust,
  query: optional(
    anyOf('{identifier} or {address}', record({ identifier: text }), record({ address: text })),
  ),
  now: optional(finite),
})

const trustFields = {
  fetch: optional(fn),
  now: optional(fn),
  revocation: optional(bool),
  certificates: optional(arrayOf(anyOf('a certificate (DER bytes or parsed)', bytes, record({})))),
}

/** Options of `trustFromStore`. */
export const trustOptions: Shape = optional(record(trustFields))

/** Options of `trustFromTrustList`. */
export const trustFromTrustListOptions: Shape = record({
  ...trustFields,
  governanceKeys: arrayOf(governanceKey, { min: 1, max: 64 }),
})

/** Options of `trustFromNode`. */
export const trustFromNodeOptions: Shape = optional(
  record({
    ...trustFields,
    governanceKeys: optional(arrayOf(governanceKey, { min: 1, max: 64 })),
    timeoutMs: optional(millis),
  }),
)

/** A recipient's state (spec 12.3). */
const recipientState = oneOf('pending', 'delivered', 'not-delivered', 'unconfirmed')

/** A letter's status as the node answers it (spec 12.3, 12.8). */
export const letterStatus: Shape = record(
  {
    letterId: text,
    recipients: arrayOf(
      record({
        address: text,
        state: recipientState,
        code: anyOf('a string or null', text, oneOf(null)),
        chain: optional(arrayOf(text)),
      }),
    ),
    evidence: optional(arrayOf(text)),
  },
  'a letter status',
)

/** A `BaridError`. */
export const baridError: Shape = is('a BaridError', (v) => v instanceof BaridError)

/** An HTTP status of an answer. */
export const httpStatus: Shape = integer(100, 599)

/** Seconds to wait (a `Retry-After`), or undefined. */
export const optionalSeconds: Shape = optional(
  is('a non-negative number of seconds', (v) => typeof v === 'number' && v >= 0 && v < Infinity),
)

/** A retry's number, 0 for the first. */
export const attempt: Shape = integer(0)

/** An HTTP `Response`. */
export const response: Shape = is('a Response', (v) => v instanceof Response)
