/**
 * @module keys/party-keys
 * A mailbox holder's own keys, held on its own device or system: a signing key (letters and
 * replies are signed with it) and an encryption key (letters to the mailbox, and its own sent
 * copies, are encrypted to it). The node only ever sees the public halves (spec 13.1).
 */
import { check } from '../args/check.js'
import * as shape from '../args/shapes.js'
import {
  BaridError,
  exportPrivateJwk,
  generateKeyPair,
  importKeyPair,
  type KeyPair,
  type PrivateJwk,
} from '../core.js'

/** A party's key pairs. */
export interface PartyKeys {
  /** Ed25519 or ECDSA P-256. */
  signing: KeyPair
  /** X25519 or ECDH P-256. */
  encryption: KeyPair
}

/** {@link PartyKeys} as JSON, for storage. It holds private keys: keep it secret. */
export interface PartyKeysJson {
  v: 1
  signing: PrivateJwk
  encryption: PrivateJwk
}

/** The algorithms {@link generatePartyKeys} can generate (spec 08, section 2). */
export interface PartyKeyAlgorithms {
  /** Default Ed25519. ES256 suits keys an HSM or a P-256 PKI must hold. */
  signing?: 'Ed25519' | 'ES256'
  /** Default X25519. */
  encryption?: 'X25519' | 'ECDH-P256'
}

/**
 * Generates a signing key and an encryption key: Ed25519 and X25519 unless `signing` or
 * `encryption` says otherwise. Every node on a letter's way verifies its signature, and an ES256
 * verification costs about 60% of an Ed25519 one (OpenSSL 3 on x86-64, measured for the
 * reference node): it counts for a sender of millions.
 *
 * @example
 * ```ts
 * const keys = await generatePartyKeys({ extractable: true }) // extractable: to store them
 * const hsmFriendly = await generatePartyKeys({ signing: 'ES256', encryption: 'ECDH-P256' })
 * ```
 */
export async function generatePartyKeys(
  o: { extractable?: boolean } & PartyKeyAlgorithms = {},
): Promise<PartyKeys> {
  check(o, shape.generatePartyKeysOptions, 'options')
  const extractable = o.extractable === true
  const [signing, encryption] = await Promise.all([
    generateKeyPair(o.signing ?? 'Ed25519', { extractable }),
    generateKeyPair(o.encryption ?? 'X25519', { extractable }),
  ])
  return { signing, encryption }
}

/**
 * Exports keys (generated extractable) for storage. The result is secret.
 *
 * @example
 * ```ts
 * await writeFile(file, JSON.stringify(await exportPartyKeys(keys)), { mode: 0o600 })
 * ```
 */
export async function exportPartyKeys(keys: PartyKeys): Promise<PartyKeysJson> {
  check(keys, shape.partyKeys, 'keys')
  return {
    v: 1,
    signing: await exportPrivateJwk(keys.signing),
    encryption: await exportPrivateJwk(keys.encryption),
  }
}

/**
 * Imports keys stored with {@link exportPartyKeys}.
 *
 * @example
 * ```ts
 * const keys = await importPartyKeys(JSON.parse(await readFile(file, 'utf8')))
 * ```
 */
export async function importPartyKeys(
  json: unknown,
  o: { extractable?: boolean } = {},
): Promise<PartyKeys> {
  check(o, shape.extractableOptions, 'options')
  const j = json as Partial<PartyKeysJson> | null
  if (typeof j !== 'object' || j === null || j.v !== 1)
    throw new BaridError('ERR_KEY_INVALID', 'stored keys must be {v: 1, signing, encryption}')
  const extractable = o.extractable === true
  const [signing, encryption] = await Promise.all([
    importKeyPair(j.signing, { use: 'sign', extractable }),
    importKeyPair(j.encryption, { use: 'encrypt', extractable }),
  ])
  return { signing, encryption }
}
