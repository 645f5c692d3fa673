/**
 * @module operator-cas
 * The operator's CAs in its directory and their revocation lists (spec/21 sections 4 and 6),
 * one list per CA, each named by the key id (base64url) of the CA that signs it:
 *
 * ```
 * ca.key.jwk, ca.crt.pem        the current CA: it certifies node and mailbox keys
 * previous-cas/<kid>.crt.pem    a CA rotated away (barid operator rotate-ca)
 * previous-cas/<kid>.key.jwk    its key (0600): it signs its own revocation list until
 *                               governance retires the CA, and nothing else
 * revocations/<kid>.cose        the revocation list of the CA with key id <kid>
 * revocations.cose              the single list earlier versions kept: read as the list of the
 *                               CA that signed it, and replaced by revocations/<kid>.cose when
 *                               that list is next issued
 * ```
 *
 * A path is only ever made from the key id of a certificate read here, never from an argument.
 */
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  BaridError,
  bytesEqual,
  createRevocationList,
  toBase64Url,
  verifyRevocationList,
  type KeyPair,
  type ParsedCertificate,
  type RevocationList,
  type RevokedEntry,
} from './core.js'
import { FileError, fileRefusal } from './errors.js'
import { readCertificate, readKeyPair } from './documents.js'
import { exists, readBytes, writePublic } from './files.js'

/** Files of the CA layout (see the module comment), relative to the operator directory. */
export const CA_FILES = {
  caKey: 'ca.key.jwk',
  caCert: 'ca.crt.pem',
  previousDir: 'previous-cas',
  previousCert: (kid: string) => `previous-cas/${kid}.crt.pem`,
  previousKey: (kid: string) => `previous-cas/${kid}.key.jwk`,
  revocationsDir: 'revocations',
  revocations: (kid: string) => `revocations/${kid}.cose`,
  legacyRevocations: 'revocations.cose',
} as const

/** One of the operator's CAs as its directory holds it. */
export interface OperatorCa {
  /** Key id of the CA key, base64url: its revocation list's name and URL path. */
  readonly kid: string
  readonly certificate: ParsedCertificate
  /** Its private key file, relative to the directory. */
  readonly keyFile: string
  /** True for the CA in `ca.crt.pem`. */
  readonly current: boolean
}

const KID_FILE = /^([A-Za-z0-9_-]{1,86})\.crt\.pem$/

function kidOf(cert: ParsedCertificate): string {
  return toBase64Url(cert.kid ?? new Uint8Array())
}

/**
 * The operator's CAs: the current one first, then those in `previous-cas/`, each checked to be an
 * operator CA certificate of `operator` stored under its own key id.
 *
 * @example
 * ```ts
 * const [current, ...previous] = await readOperatorCas('/etc/barid/operator', 'post.eg')
 * ```
 */
export async function readOperatorCas(dir: string, operator: string): Promise<OperatorCa[]> {
  const current = await readCertificate(join(dir, CA_FILES.caCert))
  if (current.role !== 'operator-ca' || current.operatorId !== operator || !current.kid)
    throw fileRefusal(join(dir, CA_FILES.caCert), `is not an operator CA certificate of ${operator}`)
  const cas: OperatorCa[] = [
    { kid: kidOf(current), certificate: current, keyFile: CA_FILES.caKey, current: true },
  ]
  const names = (await exists(join(dir, CA_FILES.previousDir)))
    ? (await readdir(join(dir, CA_FILES.previousDir))).sort()
    : []
  for (const name of names) {
    const kid = KID_FILE.exec(name)?.[1]
    if (kid === undefined || kid === cas[0]!.kid) continue
    const file = CA_FILES.previousCert(kid)
    const cert = await readCertificate(join(dir, file))
    if (cert.role !== 'operator-ca' || cert.operatorId !== operator || kidOf(cert) !== kid)
      throw new FileError(
        `cannot use ${join(dir, file)}: not the operator CA certificate of ${operator} with key id ${kid}`,
        join(dir, file),
      )
    cas.push({ kid, certificate: cert, keyFile: CA_FILES.previousKey(kid), current: false })
  }
  return cas
}

/**
 * The CA of `cas` that issued `cert` (its authorityKeyIdentifier is the CA's
 * subjectKeyIdentifier), if the directory holds it.
 *
 * @example
 * ```ts
 * const ca = issuerIn(await readOperatorCas(dir, operator), nodeCert)
 * ```
 */
export function issuerIn(
  cas: readonly OperatorCa[],
  cert: ParsedCertificate,
): OperatorCa | undefined {
  return cas.find(
    (ca) =>
      ca.certificate.subjectKeyId !== undefined &&
      cert.authorityKeyId !== undefined &&
      bytesEqual(ca.certificate.subjectKeyId, cert.authorityKeyId),
  )
}

/**
 * Reads the private key of `ca`, checked against its certificate. A previous CA's key that is
 * no longer held (deleted once governance retired the CA) is a file error naming the file.
 *
 * @example
 * ```ts
 * const keys = await readCaKey(dir, ca)
 * ```
 */
export async function readCaKey(dir: string, ca: OperatorCa): Promise<KeyPair> {
  const keys = await readKeyPair(join(dir, ca.keyFile))
  if (!bytesEqual(keys.kid, ca.certificate.kid ?? new Uint8Array()))
    throw fileRefusal(
      join(dir, ca.current ? CA_FILES.caCert : CA_FILES.previousCert(ca.kid)),
      `certifies another key than ${ca.keyFile}`,
    )
  return keys
}

/** The list of one CA as found in the directory, and the file it was read from. */
export interface HeldRevocationList {
  readonly list: RevocationList
  /** Relative to the directory: `revocations/<kid>.cose`, or `revocations.cose`. */
  readonly file: string
}

/**
 * The revocation list `ca` signed: `revocations/<kid>.cose`, else the single `revocations.cose`
 * of earlier versions when that CA signed it (a list signed by another CA is not this one's).
 *
 * @example
 * ```ts
 * const held = await readRevocationList(dir, operator, ca) // undefined: none issued yet
 * ```
 */
export async function readRevocationList(
  dir: string,
  operator: string,
  ca: OperatorCa,
): Promise<HeldRevocationList | undefined> {
  const own = CA_FILES.revocations(ca.kid)
  const options = { operator, cas: [ca.certificate] }
  if (await exists(join(dir, own)))
    return { list: await verifyRevocationList(await readBytes(join(dir, own)), options), file: own }
  const legacy = CA_FILES.legacyRevocations
  if (!(await exists(join(dir, legacy)))) return undefined
  try {
    const list = await verifyRevocationList(await readBytes(join(dir, legacy)), options)
    return { list, file: legacy }
  } catch (e) {
    if (e instanceof BaridError && e.code === 'ERR_REVOCATION_LIST_UNTRUSTED') return undefined
    throw e
  }
}

/** What {@link issueRevocationList} issued. */
export interface IssuedRevocationList {
  readonly sequence: number
  readonly revoked: number
  readonly nextUpdate: number
  /** The list's file, absolute. */
  readonly file: string
}

/**
 * Issues the next version of `ca`'s revocation list with `add` entered (a serial already listed
 * keeps its entry), signed with `keys`, into `revocations/<kid>.cose`. A single
 * `revocations.cose` it continued is removed once the new file is in place.
 *
 * @example
 * ```ts
 * await issueRevocationList(dir, operator, ca, keys, { add: [], now, nextUpdate: now + 7 * 86400 })
 * ```
 */
export async function issueRevocationList(
  dir: string,
  operator: string,
  ca: OperatorCa,
  keys: KeyPair,
  o: { add: readonly RevokedEntry[]; now: number; nextUpdate: number },
): Promise<IssuedRevocationList> {
  const previous = await readRevocationList(dir, operator, ca)
  const revoked = new Map((previous?.list.revoked ?? []).map((e) => [e.serial, e]))
  for (const e of o.add) if (!revoked.has(e.serial)) revoked.set(e.serial, e)
  const sequence = (previous?.list.sequence ?? 0) + 1
  const bytes = await createRevocationList(
    { operator, sequence, issued: o.now, nextUpdate: o.nextUpdate, revoked: [...revoked.values()] },
    keys,
  )
  const file = join(dir, CA_FILES.revocations(ca.kid))
  await writePublic(file, bytes, { replace: true })
  if (previous?.file === CA_FILES.legacyRevocations)
    await rm(join(dir, CA_FILES.legacyRevocations), { force: true })
  return { sequence, revoked: revoked.size, nextUpdate: o.nextUpdate, file }
}
