/**
 * @module config/node-keys
 * The node's own secrets, made on first start and kept in `<dataDir>/keys` with 0600
 * permissions: the administrator token, a secret for pseudonymising identifiers in audit logs,
 * and, unless the operator directory provides the node key (the node certificate's key, which
 * signs federation requests and evidence records, spec 08.4), an Ed25519 request-signing key
 * and an Ed25519 evidence-signing key.
 * Private keys are imported non-extractable; the files are the only copy.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  exportPrivateJwk,
  generateKeyPair,
  importKeyPair,
  toBase64Url,
  type KeyPair,
} from '../core.js'

export interface NodeKeys {
  /**
   * Signs federation requests and the key-discovery document. With a rotating node key (spec
   * 21.4) each read gives the key in force at that moment: read it once per signature.
   */
  readonly request: KeyPair
  /** Signs evidence records (the same key as `request` when it is the node certificate's). */
  readonly evidence: KeyPair
  /** Bearer token of the admin API (`/v1/admin`). */
  adminToken: string
  /** HMAC key for pseudonymous identifiers in audit log lines. */
  auditSecret: Uint8Array
}

async function writeSecret(path: string, text: string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  await writeFile(tmp, text, { mode: 0o600, flag: 'wx' })
  await rename(tmp, path)
  await chmod(path, 0o600)
}

async function readOrCreate(path: string, make: () => Promise<string>): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  await writeSecret(path, await make())
  return readFile(path, 'utf8')
}

/** Loads an Ed25519 key pair from `path`, creating it (0600) when missing. */
export async function loadOrCreateSigningKey(path: string): Promise<KeyPair> {
  const text = await readOrCreate(path, async () => {
    const pair = await generateKeyPair('Ed25519', { extractable: true })
    return (
      JSON.stringify(
        { createdAt: new Date().toISOString(), jwk: await exportPrivateJwk(pair) },
        null,
        2,
      ) + '\n'
    )
  })
  const { jwk } = JSON.parse(text) as { jwk: unknown }
  return importKeyPair(jwk, { algorithm: 'Ed25519' })
}

/**
 * Loads the node's keys from `<dataDir>/keys`, creating any that are missing. With
 * `signingKey` (the certified node key), that key signs requests and evidence alike; given as a
 * function, it is asked at every read, so that a key rotation takes effect without a restart.
 *
 * @example
 * ```ts
 * const keys = await loadOrCreateNodeKeys('/var/lib/barid', { signingKey: credentials.nodeKey })
 * console.log(keys.request.kidBase64Url)
 * ```
 */
export async function loadOrCreateNodeKeys(
  dataDir: string,
  o: { signingKey?: KeyPair | (() => KeyPair) } = {},
): Promise<NodeKeys> {
  const dir = join(dataDir, 'keys')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const signing = o.signingKey
  const adminToken = (
    await readOrCreate(join(dir, 'admin-token'), async () => toBase64Url(randomBytes(32)) + '\n')
  ).trim()
  const audit = (
    await readOrCreate(join(dir, 'audit-secret'), async () => toBase64Url(randomBytes(32)) + '\n')
  ).trim()
  const auditSecret = Buffer.from(audit, 'base64url')
  if (typeof signing === 'function')
    return {
      get request() {
        return signing()
      },
      get evidence() {
        return signing()
      },
      adminToken,
      auditSecret,
    }
  const request = signing ?? (await loadOrCreateSigningKey(join(dir, 'request-signing.json')))
  const evidence = signing ?? (await loadOrCreateSigningKey(join(dir, 'evidence-signing.json')))
  return { request, evidence, adminToken, auditSecret }
}
