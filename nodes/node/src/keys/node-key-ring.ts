/**
 * @module keys/node-key-ring
 * The node's keys across rotations (spec 21.4): the current key and the retired ones that
 * `barid operator rotate-node` keeps in the operator directory (`node-keys.json`, `retired/`).
 * At any time exactly one key signs: a retired key until its retirement time (its successor is
 * published meanwhile, so that peers have it before it is used), the current key afterwards.
 * Every key stays listed, with its retirement time, so that what it signed keeps verifying.
 *
 * The ring is read whole and checked before it replaces the one in use: a directory caught
 * half-way through a rotation is refused (and read again at the next check), never half-used.
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import {
  BaridError,
  bytesEqual,
  importKeyPair,
  parseCertificate,
  toBase64Url,
  toHex,
  type KeyPair,
  type ParsedCertificate,
} from '../core.js'
import { OPERATOR_FILES } from '../trust/local-federation.js'
import { loadOperatorCredentials, type OperatorCredentials } from './operator-credentials.js'

/** A key of the ring. */
export interface RingKey {
  readonly certificate: ParsedCertificate
  /** Absent for a retired key past its retirement (or lost): it signs nothing any more. */
  readonly keyPair?: KeyPair
  /** Unix seconds from which the key signs nothing; absent for the current key. */
  readonly retired?: number
}

/** A key that can sign. */
export type SigningKey = RingKey & { readonly keyPair: KeyPair }

/** The node's keys. */
export interface NodeKeyRing {
  /** The operator directory's credentials, with the current (newest) key as `nodeKey`. */
  readonly credentials: OperatorCredentials
  readonly current: SigningKey
  /** Retired keys, oldest retirement first. */
  readonly retired: readonly RingKey[]
  /** The key that signs at `seconds` (Unix time). */
  signingAt(seconds: number): SigningKey
  /** The key with this id, current or retired. */
  byKid(kid: Uint8Array): RingKey | undefined
  /** All keys, newest first: the order of the discovery document (spec 22.2). */
  all(): readonly RingKey[]
}

/** Most retired keys: a discovery document lists at most 16 keys. */
export const MAX_RETIRED_KEYS = 15

const MANIFEST_MAX_BYTES = 64 * 1024
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

function problem(what: string): BaridError {
  return new BaridError('ERR_INVALID_ARGUMENT', `operator directory: ${what}`, {
    details: { file: OPERATOR_FILES.nodeKeys },
  })
}

interface ManifestEntry {
  kid: string
  serial: string
  retired: number
  cert: string
  key?: string
}

async function readManifest(dir: string): Promise<ManifestEntry[]> {
  let text: string
  try {
    const path = join(dir, OPERATOR_FILES.nodeKeys)
    if ((await stat(path)).size > MANIFEST_MAX_BYTES) throw problem('node-keys.json is too large')
    text = await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw e
  }
  let m: unknown
  try {
    m = JSON.parse(text)
  } catch {
    throw problem('node-keys.json is not JSON')
  }
  const doc = (typeof m === 'object' && m !== null ? m : {}) as { v?: unknown; retired?: unknown }
  if (doc.v !== 1 || !Array.isArray(doc.retired) || doc.retired.length > MAX_RETIRED_KEYS)
    throw problem(`node-keys.json is not version 1 with at most ${MAX_RETIRED_KEYS} keys`)
  let last = -Infinity
  return doc.retired.map((x: unknown, i) => {
    const e = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>
    const serial = typeof e.serial === 'string' && /^[0-9a-f]{2,42}$/.test(e.serial) && e.serial
    const ok =
      serial &&
      typeof e.kid === 'string' &&
      typeof e.retired === 'string' &&
      RFC3339.test(e.retired) &&
      e.cert === `retired/node-${serial}.crt.pem` &&
      (e.key === undefined || e.key === `retired/node-${serial}.key.jwk`)
    if (!ok) throw problem(`node-keys.json entry ${i} is malformed`)
    const retired = Date.parse(e.retired as string) / 1000
    if (!(retired > last)) throw problem('node-keys.json retirement times must increase')
    last = retired
    return {
      kid: e.kid as string,
      serial,
      retired,
      cert: e.cert as string,
      ...(e.key === undefined ? {} : { key: e.key as string }),
    }
  })
}

async function retiredKey(
  dir: string,
  e: ManifestEntry,
  operator: string,
  now: number,
): Promise<RingKey> {
  const certificate = await parseCertificate(await readFile(join(dir, e.cert), 'utf8')).catch(
    () => {
      throw problem(`${e.cert} is missing or not a certificate`)
    },
  )
  if (
    certificate.role !== 'node' ||
    certificate.operatorId !== operator ||
    certificate.kid === undefined ||
    toBase64Url(certificate.kid) !== e.kid ||
    certificate.serialNumber !== e.serial
  )
    throw problem(`${e.cert} is not the node certificate node-keys.json names`)
  // A key past its retirement signs nothing: its private key is not even read.
  if (e.key === undefined || e.retired <= now) return { certificate, retired: e.retired }
  let keyPair: KeyPair
  try {
    keyPair = await importKeyPair(JSON.parse(await readFile(join(dir, e.key), 'utf8')), {
      use: 'sign',
    })
  } catch {
    throw problem(`${e.key} is missing or not a private signing key (JWK)`)
  }
  if (!bytesEqual(keyPair.kid, certificate.kid))
    throw problem(`${e.cert} certifies another key than ${e.key}`)
  return { certificate, keyPair, retired: e.retired }
}

/**
 * A ring over keys already loaded. Throws when a key appears twice (the current key also
 * listed as retired: a rotation caught half-way).
 *
 * @example
 * ```ts
 * const ring = nodeKeyRing(credentials, [{ certificate: oldCert, keyPair: oldKeys, retired }])
 * ring.signingAt(retired - 1).keyPair === oldKeys // true
 * ```
 */
export function nodeKeyRing(
  credentials: OperatorCredentials,
  retired: readonly RingKey[],
): NodeKeyRing {
  const current: SigningKey = {
    certificate: credentials.nodeCertificate,
    keyPair: credentials.nodeKey,
  }
  const byHex = new Map<string, RingKey>()
  for (const k of [current, ...retired]) {
    const hex = toHex(k.certificate.kid ?? new Uint8Array())
    if (byHex.has(hex))
      throw problem('the current node key is also listed as retired (a rotation is under way?)')
    byHex.set(hex, k)
  }
  const newestFirst = [current, ...[...retired].reverse()]
  return {
    credentials,
    current,
    retired,
    signingAt(seconds) {
      // Retirement times increase: the first key still in force at `seconds` signs.
      for (const k of retired)
        if (k.keyPair !== undefined && k.retired !== undefined && seconds < k.retired)
          return k as SigningKey
      return current
    },
    byKid: (kid) => byHex.get(toHex(kid)),
    all: () => newestFirst,
  }
}

/**
 * Reads the operator directory: credentials (checked as `loadOperatorCredentials` does) and the
 * retired keys of `node-keys.json`, each certificate checked against the file names and key ids
 * the manifest gives. `now` (Unix seconds) decides which retired private keys are still needed.
 *
 * @example
 * ```ts
 * const ring = await loadNodeKeyRing(operatorDir, { operator: 'post.eg', now: nowSeconds })
 * const signer = ring.signingAt(nowSeconds)
 * ```
 */
export async function loadNodeKeyRing(
  dir: string,
  o: { operator: string; now: number },
): Promise<NodeKeyRing> {
  const credentials = await loadOperatorCredentials(dir, { operator: o.operator })
  const entries = await readManifest(dir)
  const retired: RingKey[] = []
  for (const e of entries) retired.push(await retiredKey(dir, e, o.operator, o.now))
  return nodeKeyRing(credentials, retired)
}

/**
 * A token that changes when any file the ring is read from changes (modification time and size),
 * so that a periodic check reads the directory again only after a rotation.
 *
 * @example
 * ```ts
 * if ((await operatorDirVersion(dir)) !== seen) ring = await loadNodeKeyRing(dir, o)
 * ```
 */
export async function operatorDirVersion(dir: string): Promise<string> {
  const files = [
    OPERATOR_FILES.nodeKey,
    OPERATOR_FILES.nodeCert,
    OPERATOR_FILES.nodeKeys,
    OPERATOR_FILES.caCert,
  ]
  const parts = await Promise.all(
    files.map(async (f) => {
      const s = await stat(join(dir, f)).catch(() => undefined)
      return s ? `${s.mtimeMs}:${s.size}:${s.ino}` : '-'
    }),
  )
  return parts.join(' ')
}

/**
 * Days from `now` (Unix seconds) until `certificate` expires, rounded down (negative once it has).
 *
 * @example
 * ```ts
 * certificateDaysLeft(ring.current.certificate, now) // 364
 * ```
 */
export function certificateDaysLeft(certificate: ParsedCertificate, now: number): number {
  return Math.floor((Math.floor(certificate.notAfter.getTime() / 1000) - now) / 86_400)
}
