/**
 * @module commands/operator-rotate-node
 * `barid operator rotate-node`: node key rotation without downtime, and with it node certificate
 * renewal (spec/21 section 4). A new node key is generated and certified by the operator CA and
 * becomes the current key; the previous key and certificate are kept as retired, with the time
 * from which they sign nothing, in a layout the node reads without a restart:
 *
 * ```
 * node.key.jwk, node.crt.pem, node.pub.jwk   the current (newest) key
 * node-keys.json                             retired keys: certificate, key file, retirement time
 * retired/node-<serial>.crt.pem              a retired key's certificate (kept: peers verify
 *                                            evidence it signed, spec 21.4 step 4)
 * retired/node-<serial>.key.jwk              its private key (0600), until its retirement time
 * ```
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  caRetirements,
  refuseRetireAfterCa,
  refuseRetiredCa,
  TRUST_LIST_OPTIONS,
} from '../ca-retirement.js'
import { integer, iso, optional, parseTime, type Command } from '../command.js'
import {
  createCertificate,
  derToPem,
  exportPrivateJwk,
  generateKeyPair,
  toBase64Url,
  type KeyPair,
  type SigningAlgorithm,
} from '../core.js'
import { readCertificate, readKeyPair } from '../documents.js'
import { FileError, fileRefusal } from '../errors.js'
import { exists, readJson, readText, resolvePath, writePublic, writeSecret } from '../files.js'
import { issuerIn, readOperatorCas } from '../operator-cas.js'
import {
  checkCaValidNow,
  checkNodeCertificate,
  checkOperatorCa,
  readOperatorConfig,
} from '../operator-dir.js'
import { parseAlgorithm } from './federation-init.js'
import { OPERATOR_FILES } from './operator-init.js'

/** Files of the rotation layout (see the module comment), relative to the operator directory. */
export const ROTATION_FILES = {
  manifest: 'node-keys.json',
  retiredDir: 'retired',
  retiredCert: (serial: string) => `retired/node-${serial}.crt.pem`,
  retiredKey: (serial: string) => `retired/node-${serial}.key.jwk`,
} as const

/** One retired key in `node-keys.json`. */
export interface RetiredNodeKeyEntry {
  /** Key id (RFC 7638 thumbprint, base64url) of the retired key. */
  kid: string
  /** Its certificate's serial number, hex. */
  serial: string
  /** The time from which it signs nothing (ISO 8601, UTC, whole seconds). */
  retired: string
  /** Its certificate, relative to the operator directory. */
  cert: string
  /** Its private key, while the node may still sign with it; absent afterwards or when lost. */
  key?: string
}

/** `node-keys.json`. */
export interface NodeKeysManifest {
  v: 1
  /** Oldest retirement first; retirement times strictly increase. */
  retired: RetiredNodeKeyEntry[]
}

/** Most retired keys kept listed: a discovery document holds 16 keys (spec 22.2). */
export const MAX_RETIRED_KEYS = 15

/**
 * Default delay before the previous key stops signing: the discovery maxAge the spec recommends
 * (22.4: one hour), so that peers' cached documents list the new key before it is used (21.4
 * step 3), plus five minutes for the node to pick the rotation up (its periodic check).
 */
export const DEFAULT_SWITCH_DELAY = 3600 + 300

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

/**
 * Reads and checks `node-keys.json`; absent means no key was ever retired.
 *
 * @example
 * ```ts
 * const { retired } = await readManifest('/etc/barid/operator')
 * ```
 */
export async function readManifest(dir: string): Promise<NodeKeysManifest> {
  const path = join(dir, ROTATION_FILES.manifest)
  if (!(await exists(path))) return { v: 1, retired: [] }
  const raw = await readJson(path)
  const m = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<NodeKeysManifest>
  if (typeof m.v === 'number' && m.v !== 1)
    throw fileRefusal(
      path,
      `has version ${m.v}; this barid reads version 1`,
      'ERR_UNSUPPORTED_VERSION',
    )
  const bad = () => fileRefusal(path, 'is not a node-keys manifest of version 1')
  if (m.v !== 1 || !Array.isArray(m.retired) || m.retired.length > MAX_RETIRED_KEYS) throw bad()
  let last = -Infinity
  for (const e of m.retired) {
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof e.kid !== 'string' ||
      typeof e.serial !== 'string' ||
      !/^[0-9a-f]{2,42}$/.test(e.serial) ||
      typeof e.retired !== 'string' ||
      !RFC3339.test(e.retired) ||
      e.cert !== ROTATION_FILES.retiredCert(e.serial) ||
      (e.key !== undefined && e.key !== ROTATION_FILES.retiredKey(e.serial))
    )
      throw bad()
    const t = Date.parse(e.retired) / 1000
    if (!(t > last)) throw bad()
    last = t
  }
  return m as NodeKeysManifest
}

/** Writes a file atomically (temporary file, rename); secrets are created 0600. */
async function replaceFile(path: string, data: string, secret: boolean): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  if (secret) await writeSecret(tmp, data)
  else await writePublic(tmp, data)
  try {
    await rename(tmp, path)
  } catch (cause) {
    await rm(tmp, { force: true })
    throw new FileError(`cannot replace ${path}`, path, { cause })
  }
}

/** Writes `data` to `path` unless it already holds exactly that (a rotation run again). */
async function keepCopy(path: string, data: string, secret: boolean): Promise<void> {
  if (await exists(path)) {
    if ((await readText(path)) === data) return
    throw new FileError(`cannot write ${path}: it already exists (refusing to overwrite)`, path)
  }
  if (secret) await writeSecret(path, data)
  else await writePublic(path, data)
}

function algorithmOf(keys: KeyPair): SigningAlgorithm {
  return keys.publicJwk.kty === 'OKP' ? 'Ed25519' : 'ES256'
}

export const operatorRotateNode: Command = {
  name: ['operator', 'rotate-node'],
  summary: 'Rotate the node key and renew its certificate, keeping the previous key as retired',
  help: `Usage: barid operator rotate-node [--dir DIR] [--retire-at TIME] [options]

Rotates the node key without downtime, and so renews the node certificate (spec/21 section 4):
generates a new node key, certifies it with the operator CA (role node), makes it the current
key (node.key.jwk, node.crt.pem, node.pub.jwk), and keeps the previous key and certificate as
retired, with its retirement time, in node-keys.json and retired/.

A running node picks the rotation up without a restart: on SIGHUP, on
POST /v1/admin/node-keys/reload, or at its periodic check of the operator directory. It then
publishes both keys in its key-discovery document (the previous one with its retirement time),
keeps signing with the previous key until that time and with the new key from then on.
Evidence the previous key signed before that time keeps verifying; what is dated later is
refused (ERR_KEY_RETIRED). Run it yearly, and at the latest 30 days before the node
certificate's notAfter (the node reports the days left in /readyz, its metrics and its log).

Options:
      --retire-at TIME     When the previous key stops signing (ISO 8601 or Unix seconds).
                           Default: now + 1 hour 5 minutes (the discovery maxAge of spec 22.4,
                           plus the node's check interval), never after the previous
                           certificate's notAfter, nor after the --trust-list retires the CA
                           that issued it. A time in the past switches at once: use the time of
                           the loss or compromise of the key (spec/23).
      --trust-list FILE    The federation's current trust list: a --retire-at after it retires
                           (until) the CA that issued the previous certificate is refused
                           (ERR_OPERATOR_CA_RETIRED), and the default is brought forward to it.
                           A current CA (ca.crt.pem) the list has already retired is refused
                           too (ERR_OPERATOR_CA_RETIRED, nothing written): peers would refuse
                           all the new key signs; rotate the CA instead (operator rotate-ca).
                           Without it the CLI cannot know that retirement: give it after a CA
                           compromise, when governance retired the CA first (spec/23).
      --governance-key JWK Its governance public key (governance.pub.jwk). Repeatable.
      --days N             New certificate lifetime in days (max 731). Default: 365.
      --name CN            Common name of the new certificate. Default: node.<operator>.
      --alg ALG            Ed25519 or ES256. Default: the previous key's algorithm.
      --dir DIR            Operator directory. Default: .

Writes: node.key.jwk (secret, replaced), node.crt.pem and node.pub.jwk (replaced),
retired/node-<serial>.key.jwk (secret) and retired/node-<serial>.crt.pem (the previous key),
node-keys.json. Removes the private key files of keys whose retirement time has passed (the
node no longer signs with them; their certificates stay). Keeps at most ${MAX_RETIRED_KEYS} retired keys.

Example:
  barid operator rotate-node --dir /etc/barid/operator
  kill -HUP $(cat "$BARID_DATA_DIR/node.pid")   # the reference node's PID, in its data directory
  kill -HUP $(pidof barid-node)                 # the same, with one reference node running`,
  options: {
    'retire-at': { type: 'string' },
    days: { type: 'string' },
    name: { type: 'string' },
    alg: { type: 'string' },
    dir: { type: 'string' },
    ...TRUST_LIST_OPTIONS,
  },
  async run(ctx, values) {
    const dir = resolvePath(ctx.cwd, optional(values, 'dir') ?? '.')
    // Every option is checked before any file is read or written.
    const days = integer(values, 'days', 365, 731)
    const algOption = optional(values, 'alg')
    const wantedAlg = algOption === undefined ? undefined : parseAlgorithm(algOption)
    const retireOption =
      typeof values['retire-at'] === 'string'
        ? parseTime(values['retire-at'], 'retire-at')
        : undefined
    const config = await readOperatorConfig(dir)
    const caPath = join(dir, OPERATOR_FILES.caCert)
    const ca = await readCertificate(caPath)
    const caKeys = await readKeyPair(join(dir, OPERATOR_FILES.caKey))
    checkOperatorCa(ca, caPath, caKeys, config.operator)
    // The new certificate is signed under it now.
    checkCaValidNow(ca, caPath, ctx.now)

    const keyPath = join(dir, OPERATOR_FILES.nodeKey)
    const certPath = join(dir, OPERATOR_FILES.nodeCert)
    const old = await readCertificate(certPath)
    // A lost key (spec 23.1) has no file: its certificate is retired alone.
    const oldKeyText = (await exists(keyPath)) ? await readFile(keyPath, 'utf8') : undefined
    const oldKeys = oldKeyText === undefined ? undefined : await readKeyPair(keyPath)
    checkNodeCertificate(old, certPath, config.operator, oldKeys)
    const oldKid = toBase64Url(old.kid as Uint8Array)

    const manifestPath = join(dir, ROTATION_FILES.manifest)
    const manifest = await readManifest(dir)
    if (manifest.retired.some((e) => e.kid === oldKid || e.serial === old.serialNumber))
      throw fileRefusal(certPath, `is already retired in ${manifestPath}: nothing to rotate`)
    // The previous key signs no longer than its certificate, which never outlives its CA
    // (createCertificate refuses that), nor than governance's retirement of that CA when a
    // trust list says so.
    const notAfter = Math.floor(old.notAfter.getTime() / 1000)
    const notBefore = Math.floor(old.notBefore.getTime() / 1000)
    const retirementOf = await caRetirements(ctx.cwd, values, ctx.now, config.operator)
    const oldCa =
      retirementOf === undefined
        ? undefined
        : issuerIn(await readOperatorCas(dir, config.operator), old)?.certificate
    const caRetired = oldCa === undefined ? undefined : retirementOf?.(oldCa)
    // The new key is certified under the current CA: once governance has retired it, peers
    // refuse all that key would sign.
    if (retirementOf !== undefined) refuseRetiredCa(retirementOf(ca), ca, caPath, ctx.now)
    let retireAt: number
    let clamped: 'certificate' | 'ca' | undefined
    if (retireOption !== undefined) {
      retireAt = retireOption
      if (retireAt > notAfter)
        throw fileRefusal(
          certPath,
          `expires at ${iso(notAfter)}, before --retire-at ${iso(retireAt)}: its key cannot sign that long`,
        )
      if (oldCa !== undefined) refuseRetireAfterCa(caRetired, retireAt, oldCa, certPath)
    } else {
      if (!oldKeys)
        throw new FileError(
          `cannot read ${keyPath}: it does not exist (for a lost key, give --retire-at, the time of the loss: spec/23)`,
          keyPath,
        )
      const wanted = ctx.now + DEFAULT_SWITCH_DELAY
      retireAt = Math.min(wanted, notAfter, caRetired?.until ?? Infinity)
      if (retireAt < wanted) clamped = retireAt === caRetired?.until ? 'ca' : 'certificate'
    }
    if (retireAt < notBefore)
      throw fileRefusal(
        certPath,
        `is valid only from ${iso(notBefore)}, after the retirement time ${iso(retireAt)}`,
      )
    const previous = manifest.retired.at(-1)
    if (previous && retireAt <= Date.parse(previous.retired) / 1000)
      throw fileRefusal(
        manifestPath,
        `retires the previous key at ${previous.retired}: the retirement time ${iso(retireAt)} must be later`,
      )

    const alg = wantedAlg ?? (oldKeys ? algorithmOf(oldKeys) : 'Ed25519')
    const caEnds = Math.floor(ca.notAfter.getTime() / 1000)
    const newKeys = await generateKeyPair(alg, { extractable: true })
    const newNotAfter = Math.min(ctx.now + days * 86_400, caEnds)
    const cert = await createCertificate({
      role: 'node',
      subjectName: {
        commonName: optional(values, 'name') ?? `node.${config.operator}`.slice(0, 64),
      },
      publicKey: newKeys.publicKey,
      issuer: { certificate: ca, privateKey: caKeys.privateKey },
      notBefore: new Date(ctx.now * 1000),
      notAfter: new Date(newNotAfter * 1000),
    })

    // The previous key first, so that nothing is lost if the run stops half-way; the current
    // files are replaced last, each atomically. A node reading the directory in between sees an
    // inconsistent set, refuses it and keeps the keys it has until its next check.
    await mkdir(join(dir, ROTATION_FILES.retiredDir), { recursive: true, mode: 0o700 })
    const serial = old.serialNumber
    await keepCopy(join(dir, ROTATION_FILES.retiredCert(serial)), derToPem(old.der), false)
    const signsUntil = retireAt > ctx.now && oldKeyText !== undefined
    if (signsUntil) await keepCopy(join(dir, ROTATION_FILES.retiredKey(serial)), oldKeyText, true)
    const entry: RetiredNodeKeyEntry = {
      kid: oldKid,
      serial,
      retired: iso(retireAt),
      cert: ROTATION_FILES.retiredCert(serial),
      ...(signsUntil ? { key: ROTATION_FILES.retiredKey(serial) } : {}),
    }
    // Keys past their retirement sign nothing more: their private keys go.
    const all = [...manifest.retired, entry]
    const removed = all.flatMap((e, i) =>
      e.key !== undefined &&
      (i < all.length - MAX_RETIRED_KEYS || Date.parse(e.retired) / 1000 <= ctx.now)
        ? [e.key]
        : [],
    )
    const kept = all.slice(-MAX_RETIRED_KEYS).map((e) => {
      if (e.key === undefined || Date.parse(e.retired) / 1000 > ctx.now) return e
      const { key: _gone, ...rest } = e
      return rest
    })
    const next: NodeKeysManifest = { v: 1, retired: kept }
    await replaceFile(
      join(dir, ROTATION_FILES.manifest),
      `${JSON.stringify(next, null, 2)}\n`,
      false,
    )
    await replaceFile(keyPath, JSON.stringify(await exportPrivateJwk(newKeys)), true)
    await replaceFile(certPath, derToPem(cert.der), false)
    await replaceFile(
      join(dir, OPERATOR_FILES.nodePub),
      `${JSON.stringify(newKeys.publicJwk, null, 2)}\n`,
      false,
    )
    for (const f of removed) await rm(join(dir, f), { force: true })

    const result = {
      operator: config.operator,
      kid: newKeys.kidBase64Url,
      serial: cert.serialNumber,
      notAfter: iso(newNotAfter),
      retired: { kid: oldKid, serial, retiredAt: iso(retireAt) },
      removedKeys: removed,
    }
    if (ctx.json) {
      ctx.out(JSON.stringify({ ok: true, ...result }))
      return
    }
    ctx.out(`Node key of ${config.operator} rotated in ${dir}`)
    ctx.out(
      `  new key ${result.kid}, certificate serial ${result.serial}, valid until ${result.notAfter}`,
    )
    ctx.out(`  previous key ${oldKid} signs until ${result.retired.retiredAt}, then retires`)
    if (clamped === 'certificate')
      ctx.out(
        `  (the previous certificate expires then: renew earlier next time, spec/21 section 4)`,
      )
    if (clamped === 'ca')
      ctx.out(
        `  (governance retires the CA that issued the previous certificate then: ${caRetired?.file})`,
      )
    if (retireAt <= ctx.now)
      ctx.out('  the retirement time has passed: what the previous key signed since is refused')
    for (const f of removed) ctx.out(`  removed ${f} (retired, no longer needed)`)
    ctx.out('Tell the node: kill -HUP <pid>, or POST /v1/admin/node-keys/reload')
  },
}
