/**
 * @module transparency/envelope
 * The signed envelope of checkpoints, cosignatures and fork statements: a tagged COSE_Sign1
 * (RFC 9052 section 4.2) whose protected header holds exactly `alg`, `kid` (the signer's 32-byte
 * RFC 7638 thumbprint) and `typ` (RFC 9596), an empty unprotected header, and a canonical CBOR
 * payload. The `typ` keeps a signature made for one kind from being accepted as another.
 * Reading follows spec/00 section 0.4: shape and kid, then the key, then the signature, and only
 * then the payload.
 */
import { encodeCanonical, MapReader, type CborKey, type CborValue } from '../cbor/index.js'
import { openDocument, signDocument } from '../cose/typed-document.js'
import { BaridError, type BaridErrorCode } from '../errors.js'
import type { MaybePromise } from './store.js'

/** Format version of checkpoints, cosignatures, fork statements and log resets. */
export const TRANSPARENCY_VERSION = 1

/** The `typ` of each signed transparency object (spec/16). */
export const TRANSPARENCY_TYPE = {
  checkpoint: 'application/barid-checkpoint+cose',
  cosignature: 'application/barid-cosignature+cose',
  forkStatement: 'application/barid-fork-statement+cose',
  logReset: 'application/barid-log-reset+cose',
} as const
export type TransparencyType = (typeof TRANSPARENCY_TYPE)[keyof typeof TRANSPARENCY_TYPE]

/** A signing key and its key id; a `KeyPair` from `keys/` is one. */
export interface TransparencySigner {
  readonly privateKey: CryptoKey
  /** The RFC 7638 thumbprint of the public key (32 bytes). */
  readonly kid: Uint8Array
}

/** A public key, and the operator id it speaks for. */
export interface ResolvedKey {
  readonly key: CryptoKey
  /**
   * The operator the key belongs to: the log's id, or the witness's id; for a governance key,
   * the federation whose trust list names it.
   */
  readonly owner: string
}

/**
 * Which role a key is looked up for: signing a log's checkpoints, a witness's statements, or
 * (governance keys of the trust list) a log reset.
 */
export type KeyRole = 'log' | 'witness' | 'governance'

/**
 * Finds the public key with key id `kid` for `role`, or `undefined` (then `ERR_KEY_NOT_FOUND`).
 * A node resolves from the trust list and the peers' discovery documents; for evidence verified
 * years later it must also know retired keys.
 */
export type KeyResolver = (kid: Uint8Array, role: KeyRole) => MaybePromise<ResolvedKey | undefined>

/** Signs `payload` (encoded canonically) as an object of type `typ`; returns the COSE bytes and the payload bytes. */
export async function signEnvelope(
  payload: CborValue,
  typ: TransparencyType,
  signer: TransparencySigner,
): Promise<{ bytes: Uint8Array; payloadBytes: Uint8Array }> {
  if (!(signer?.kid instanceof Uint8Array) || signer.kid.length !== 32) {
    throw new BaridError('ERR_KEY_INVALID', 'a signer needs a 32-byte kid')
  }
  const bytes = await signDocument(payload, typ, signer)
  return { bytes, payloadBytes: encodeCanonical(payload) }
}

/** An envelope whose signature verified. */
export interface OpenedEnvelope {
  readonly kid: Uint8Array
  /** The operator the signing key belongs to, per the resolver. */
  readonly owner: string
  /** The exact payload bytes that were signed. */
  readonly payloadBytes: Uint8Array
  /** The payload, decoded strictly (canonical, bounded). */
  readonly payload: CborValue
}

/** How to open one kind of envelope. */
export interface OpenEnvelopeOptions {
  typ: TransparencyType
  /** The code for shape problems specific to this kind. */
  code: BaridErrorCode
  maxBytes: number
  resolveKey: KeyResolver
  role: KeyRole
}

/**
 * Checks shape, resolves the key, verifies the signature, then decodes the payload
 * (the shared typed-document envelope, `cose/typed-document.ts`).
 * Errors: `ERR_INPUT_TOO_LARGE`, `ERR_COSE_MALFORMED`, `ERR_UNSUPPORTED_ALGORITHM`, the kind's
 * `code`, `ERR_KEY_NOT_FOUND`, `ERR_KEY_INVALID`, `ERR_SIGNATURE_INVALID`.
 */
export async function openEnvelope(
  bytes: Uint8Array,
  options: OpenEnvelopeOptions,
): Promise<OpenedEnvelope> {
  const doc = openDocument(bytes, options.typ, options.code, options.maxBytes)
  const resolved = await options.resolveKey(doc.kid, options.role)
  if (resolved === undefined)
    throw new BaridError('ERR_KEY_NOT_FOUND', `no ${options.role} key with this kid is known`)
  const payload = await doc.verify(resolved.key, {
    maxBytes: options.maxBytes,
    maxDepth: 4,
    maxItems: 256,
  })
  return { kid: doc.kid, owner: resolved.owner, payloadBytes: doc.payloadBytes, payload }
}

/** How to open one kind of envelope whose payload is a versioned map of known fields. */
export interface OpenPayloadOptions extends OpenEnvelopeOptions {
  /** The kind's name in error messages ("fork statement"). */
  what: string
  /** The payload's fields: any other is refused with the kind's `code`. */
  fields: readonly CborKey[]
}

/**
 * {@link openEnvelope}, then the payload as a map of `fields` whose `v` is this format's version
 * (`ERR_UNSUPPORTED_VERSION` otherwise): the steps every signed transparency object but the
 * checkpoint shares.
 */
export async function openPayload(
  bytes: Uint8Array,
  options: OpenPayloadOptions,
): Promise<{ opened: OpenedEnvelope; reader: MapReader }> {
  const opened = await openEnvelope(bytes, options)
  const reader = MapReader.of(opened.payload, options.code, options.what)
  if (reader.raw('v') !== TRANSPARENCY_VERSION)
    throw new BaridError('ERR_UNSUPPORTED_VERSION', `${options.what} version is not supported`)
  reader.only(options.fields)
  return { opened, reader }
}
