/**
 * @module world/parties
 * The users a check acts for: sender organisations (agencies) and citizens at a node under
 * test, each with keys only the harness holds (spec 13.1), made through test control (30.4) and
 * the node's own key registration (12.7, 13.4). Letters are sealed here with core and submitted
 * through the sender API (12.3).
 */
import {
  generateKeyPair,
  sealLetter,
  toBase64Url,
  type EncryptedAttachment,
  type KeyPair,
  type SealAttachment,
  type SealedLetter,
} from '@barid/core'
import { call, json, type HttpResult } from '../http/http.js'
import type { RecipientKey } from '../peer/letters.js'
import type { NodeHandle, World } from './world.js'

export interface PartyKeys {
  signing: KeyPair
  encryption: KeyPair
}

/** A sender organisation at a node. */
export interface Agency {
  node: NodeHandle
  address: string
  apiKey: string
  keys: PartyKeys
}

/** A citizen at a node. */
export interface Citizen {
  node: NodeHandle
  address: string
  identifier: string | null
  keys: PartyKeys
  status: 'active' | 'exempt'
}

export async function newKeys(): Promise<PartyKeys> {
  const [signing, encryption] = await Promise.all([
    generateKeyPair('Ed25519'),
    generateKeyPair('X25519'),
  ])
  return { signing, encryption }
}

/** The recipient key a sealer encrypts to. */
export function recipientOf(p: { address: string; keys: PartyKeys }): RecipientKey {
  return {
    address: p.address,
    key: { publicKey: p.keys.encryption.publicKey, kid: p.keys.encryption.kid },
  }
}

/**
 * A sender organisation with registered signing and encryption keys (`name`: its registered
 * name, 30.4; else the node picks one).
 *
 * @example
 * ```ts
 * const eta = await newAgency(world, world.a)
 * ```
 */
export async function newAgency(
  world: World,
  node: NodeHandle,
  o: { name?: string } = {},
): Promise<Agency> {
  const s = await node.control.createSender(o.name !== undefined ? { name: o.name } : {})
  const keys = await newKeys()
  const agency: Agency = { node, address: s.address, apiKey: s.apiKey, keys }
  for (const [use, k] of [
    ['sig', keys.signing],
    ['enc', keys.encryption],
  ] as const) {
    const r = await senderCall(world, agency, 'POST', '/v1/sender/keys', {
      use,
      jwk: k.publicJwk,
      label: 'conformance',
    })
    if (r.status !== 201 && r.status !== 200)
      throw new Error(
        `registering a sender key at ${node.name} answered ${r.status} ${r.code ?? r.text.slice(0, 200)}`,
      )
  }
  return agency
}

/**
 * A citizen with certified keys (registered through test control).
 *
 * @example
 * ```ts
 * const lars = await newCitizen(world, world.b)
 * ```
 */
export async function newCitizen(
  world: World,
  node: NodeHandle,
  o: { status?: 'active' | 'exempt' } = {},
): Promise<Citizen> {
  const keys = await newKeys()
  const m = await node.control.createMailbox({
    status: o.status ?? 'active',
    keys: [
      { use: 'enc', jwk: keys.encryption.publicJwk },
      { use: 'sig', jwk: keys.signing.publicJwk },
    ],
  })
  return { node, address: m.address, identifier: m.identifier, keys, status: o.status ?? 'active' }
}

const tokens = new WeakMap<Citizen, { epoch: number; token: string }>()

/** A current citizen token (renewed after the clock moves). */
export async function tokenOf(world: World, c: Citizen): Promise<string> {
  const t = tokens.get(c)
  if (t && t.epoch === world.clock.epoch) return t.token
  const token = await c.node.control.token(c.address)
  tokens.set(c, { epoch: world.clock.epoch, token })
  return token
}

/** A sender API call as `agency`. */
export function senderCall(
  world: World,
  agency: Agency,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const auth = { authorization: `Bearer ${agency.apiKey}`, ...headers }
  return call(
    `${agency.node.url}${path}`,
    body === undefined ? { method, headers: auth } : json(method, body, auth),
    world.http,
  )
}

/**
 * Uploads an attachment's ciphertext as `agency` (12.6), under its hex digest.
 *
 * @example
 * ```ts
 * const up = await uploadAttachment(world, agency, toHex(enc.sha256), enc.ciphertext)
 * ```
 */
export function uploadAttachment(
  world: World,
  agency: Agency,
  digest: string,
  ciphertext: Uint8Array,
): Promise<HttpResult> {
  return call(
    `${agency.node.url}/v1/sender/attachments/${digest}`,
    {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${agency.apiKey}`,
        'content-type': 'application/octet-stream',
      },
      body: ciphertext,
    },
    world.http,
  )
}

/**
 * The header entry (spec 05) of the text attachment `a1` that checks attach, from its encryption.
 *
 * @example
 * ```ts
 * const enc = await encryptAttachment(utf8('see attachment'), { attachmentId: 'a1' })
 * await sealLetter({ ...letter, attachments: [textAttachment(enc)] })
 * ```
 */
export function textAttachment(enc: EncryptedAttachment): SealAttachment {
  return {
    id: 'a1',
    size: enc.size,
    sha256: enc.sha256,
    key: enc.key,
    filename: 'a.txt',
    mediaType: 'text/plain',
  }
}

/** A citizen API call as `c`. */
export async function citizenCall(
  world: World,
  c: Citizen,
  method: string,
  path: string,
  body?: unknown,
): Promise<HttpResult> {
  const auth = { authorization: `Bearer ${await tokenOf(world, c)}` }
  return call(
    `${c.node.url}${path}`,
    body === undefined ? { method, headers: auth } : json(method, body, auth),
    world.http,
  )
}

/** Seals a letter from `agency` (or any mailbox holder) to `to`, dated by the harness clock. */
export async function sealAs(
  world: World,
  from: { address: string; keys: PartyKeys },
  to: readonly RecipientKey[],
  o: {
    kind?: 'letter' | 'registered'
    expires?: number
    replyTo?: string
    sender?: string
    /** Sealing time, ms (default the harness clock). */
    nowMs?: number
    attachments?: Parameters<typeof sealLetter>[0]['attachments']
  } = {},
): Promise<SealedLetter> {
  return sealLetter({
    sender: {
      address: o.sender ?? from.address,
      signingKey: from.keys.signing.privateKey,
      kid: from.keys.signing.kid,
      encryptionKey: { publicKey: from.keys.encryption.publicKey, kid: from.keys.encryption.kid },
    },
    recipients: to.map((r) => ({ address: r.address, keys: [r.key] })),
    kind: o.kind ?? 'letter',
    contentType: 'text/plain; charset=utf-8',
    lang: 'en',
    subject: 'Conformance',
    body: new TextEncoder().encode('Sealed by the Barid conformance harness.'),
    now: o.nowMs ?? world.clock.now(),
    ...(o.attachments ? { attachments: o.attachments } : {}),
    ...(o.expires !== undefined ? { expires: o.expires } : {}),
    ...(o.replyTo !== undefined ? { replyTo: o.replyTo, threadId: o.replyTo } : {}),
  })
}

/** Submits sealed bytes through the sender API (12.3). */
export function submit(
  world: World,
  agency: Agency,
  bytes: Uint8Array,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return senderCall(
    world,
    agency,
    'POST',
    '/v1/sender/letters',
    { letter: toBase64Url(bytes) },
    headers,
  )
}

/** The status body of 12.3 / 12.8. */
export interface LetterStatusBody {
  letterId: string
  digest: string
  duplicate: boolean
  recipients: { address: string; state: string; code: string | null; chain?: string[] }[]
  evidence: string[]
}

/** `GET /v1/sender/letters/{id}` as `agency`. */
export async function statusOf(
  world: World,
  agency: Agency,
  letterId: string,
): Promise<HttpResult<LetterStatusBody>> {
  return (await senderCall(
    world,
    agency,
    'GET',
    `/v1/sender/letters/${letterId}`,
  )) as HttpResult<LetterStatusBody>
}
