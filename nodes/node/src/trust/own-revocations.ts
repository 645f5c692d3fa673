/**
 * @module trust/own-revocations
 * The revocation lists of this operator's own CAs (spec 21.6.2): one list per CA, served under
 * that CA's key id, for the current CA and each CA rotated away (`previous-cas/`, kept by `barid
 * operator rotate-ca`) that the trust list holds for this operator. The lists of the CAs in
 * service (the current one, and the previous ones not retired) are reissued before their
 * next-update: during a CA rotation peers thus find the new CA's list for the new node
 * certificate and the old CA's list for the certificates still under it. A retired CA's last
 * list is kept as it is, never reissued: read at start like the others, it is still served and
 * put into evidence bundles (21.7), which must carry the list of every CA that issued one of
 * their certificates, years after that CA retired.
 *
 * Lists are read from the operator directory as `barid operator revoke` writes them
 * (`revocations/<kid>.cose`; a single `revocations.cose` of an earlier version is the list of
 * the CA that signed it), each checked against its own CA and installed in the node's revocation
 * cache (its own certificates are checked like anyone's, with no fetch to itself). A file is read
 * again when it changes, so a list issued by hand is served at once. A path is only ever made
 * from the key id of a certificate read from the directory, never from a request.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import {
  isBaridError,
  parseCertificate,
  toBase64Url,
  verifyRevocationList,
  type ParsedCertificate,
  type RevocationCache,
} from '../core.js'
import type { Logger } from '../ops/logger.js'
import { OPERATOR_FILES } from './local-federation.js'

/** A list is reissued when its next-update is closer than this (spec 22.8). */
export const REVOCATION_RENEW_BEFORE = 3 * 86_400

/** Options of {@link openOwnRevocations}. */
export interface OwnRevocationsOptions {
  /** The operator directory. */
  dir: string
  operator: string
  /** The current CA, as the node's keys were last read from the directory. */
  currentCa: () => ParsedCertificate
  /** True while the trust list holds `ca` for this operator, retired or not. */
  listed: (ca: ParsedCertificate) => boolean
  /** True while `ca` is listed for this operator and not retired (no `until`, or later). */
  inService: (ca: ParsedCertificate) => boolean
  revocation: RevocationCache
  /** Unix seconds. */
  now: () => number
  /** Issues the next list of the CA with key id `kid` (`barid operator revoke --ca <kid>`). */
  issue: (kid: string) => Promise<unknown>
  log: Logger
}

/** What {@link OwnRevocations.renew} did. */
export interface OwnRevocationsRun {
  /** Key ids of the CAs whose list was (re)issued. */
  reissued: string[]
  /** Those whose list could not be issued, with the error code. */
  failed: { kid: string; current: boolean; code: string }[]
}

/** This operator's revocation lists. */
export interface OwnRevocations {
  /**
   * The list of the CA with key id `kid` (base64url), if that is the current CA or a previous one
   * the trust list holds (retired or not), and it has a list.
   */
  list(kid: string): Promise<Uint8Array | undefined>
  /**
   * Issues the list of every in-service CA that has none or whose next-update is near, and reads
   * (installs) the last list of each retired one. A failure is logged and reported, and with
   * `requireCurrent` thrown when it is the current CA's (at start: peers cannot check the node
   * certificate without that list).
   */
  renew(o?: { requireCurrent?: boolean }): Promise<OwnRevocationsRun>
  /** Key ids of the CAs in service now, the current one first. */
  inService(): Promise<string[]>
}

interface Slot {
  readonly bytes: Uint8Array
  readonly nextUpdate: number
  /** File, mtime, size and inode it was read from: read again when that changes. */
  readonly version: string
}

interface Ca {
  readonly kid: string
  readonly certificate: ParsedCertificate
  readonly current: boolean
  /** False for a CA the trust list retired: its list is served as it is, never reissued. */
  readonly inService: boolean
}

const kidOf = (c: ParsedCertificate) => toBase64Url(c.kid ?? new Uint8Array())
const KID_FILE = /^([A-Za-z0-9_-]{1,86})\.crt\.pem$/

async function versionOf(path: string): Promise<string | undefined> {
  const s = await stat(path).catch(() => undefined)
  return s ? `${path} ${s.mtimeMs} ${s.size} ${s.ino}` : undefined
}

/**
 * @example
 * ```ts
 * const own = openOwnRevocations({ dir, operator, currentCa, listed, inService, revocation, now,
 *   issue, log })
 * await own.renew() // at start, then every few hours
 * const bytes = await own.list(kid) // GET /.well-known/barid-revocations/{kid}
 * ```
 */
export function openOwnRevocations(o: OwnRevocationsOptions): OwnRevocations {
  const slots = new Map<string, Slot>()
  let previous: { version: string; cas: ParsedCertificate[] } | undefined

  // The CAs rotated away, read again only when the folder changes.
  const previousCas = async (): Promise<ParsedCertificate[]> => {
    const folder = join(o.dir, OPERATOR_FILES.previousCas)
    const version = (await versionOf(folder)) ?? ''
    if (previous?.version === version) return previous.cas
    const cas: ParsedCertificate[] = []
    for (const name of version === '' ? [] : (await readdir(folder)).sort()) {
      const kid = KID_FILE.exec(name)?.[1]
      if (kid === undefined) continue
      try {
        const cert = await parseCertificate(await readFile(join(folder, name), 'utf8'))
        if (cert.role === 'operator-ca' && cert.operatorId === o.operator && kidOf(cert) === kid)
          cas.push(cert)
        else throw new Error('not this operator CA')
      } catch (e) {
        o.log.warn('a previous operator CA certificate cannot be used; ignoring it', {
          file: `${OPERATOR_FILES.previousCas}/${name}`,
          error: String(e).slice(0, 200),
        })
      }
    }
    previous = { version, cas }
    return cas
  }

  // The current CA, then the previous ones the trust list holds. A CA it no longer holds at all
  // is left out: verifiers refuse its list (ERR_REVOCATION_LIST_UNTRUSTED) and its certificates.
  const servedCas = async (): Promise<Ca[]> => {
    const current = o.currentCa()
    const cas: Ca[] = [
      { kid: kidOf(current), certificate: current, current: true, inService: true },
    ]
    for (const c of await previousCas())
      if (!cas.some((s) => s.kid === kidOf(c)) && o.listed(c))
        cas.push({ kid: kidOf(c), certificate: c, current: false, inService: o.inService(c) })
    return cas
  }

  // The file holding `ca`'s list: its own, else the single list of earlier versions if that
  // CA signed it (checked when read).
  const fileOf = async (ca: Ca): Promise<{ path: string; version: string } | undefined> => {
    for (const f of [OPERATOR_FILES.revocations(ca.kid), OPERATOR_FILES.legacyRevocations]) {
      const path = join(o.dir, f)
      const version = await versionOf(path)
      if (version !== undefined) return { path, version }
    }
    return undefined
  }

  const read = async (ca: Ca): Promise<Slot | undefined> => {
    const file = await fileOf(ca)
    if (file === undefined) {
      slots.delete(ca.kid)
      return undefined
    }
    const held = slots.get(ca.kid)
    if (held?.version === file.version) return held
    const bytes = new Uint8Array(await readFile(file.path))
    const options = { operator: o.operator, cas: [ca.certificate] }
    try {
      const list = await verifyRevocationList(bytes, options)
      // Our own certificates are checked like anyone's, from our own lists.
      await o.revocation.install(bytes, options)
      const slot = { bytes, nextUpdate: list.nextUpdate, version: file.version }
      slots.set(ca.kid, slot)
      return slot
    } catch (e) {
      // The single list of an earlier version belongs to another CA: this one has none yet.
      if (
        file.path.endsWith(OPERATOR_FILES.legacyRevocations) &&
        isBaridError(e) &&
        e.code === 'ERR_REVOCATION_LIST_UNTRUSTED'
      ) {
        slots.delete(ca.kid)
        return undefined
      }
      throw e
    }
  }

  return {
    async list(kid) {
      const ca = (await servedCas()).find((c) => c.kid === kid)
      return ca === undefined ? undefined : (await read(ca))?.bytes
    },
    async renew(r = {}) {
      const run: OwnRevocationsRun = { reissued: [], failed: [] }
      let currentError: unknown
      for (const ca of await servedCas()) {
        if (!ca.inService) {
          // Retired: its last list is read (so installed, and checked) but never reissued.
          await read(ca).catch((e: unknown) =>
            o.log.warn('the last revocation list of a retired operator CA cannot be used', {
              ca: ca.kid,
              code: isBaridError(e) ? e.code : 'ERR_INTERNAL',
              error: String(e).slice(0, 200),
            }),
          )
          continue
        }
        try {
          const held = await read(ca).catch(() => undefined)
          if (held !== undefined && held.nextUpdate - o.now() > REVOCATION_RENEW_BEFORE) continue
          await o.issue(ca.kid)
          const slot = await read(ca)
          run.reissued.push(ca.kid)
          o.log.info('revocation list reissued', {
            ca: ca.kid,
            current: ca.current,
            nextUpdate: slot?.nextUpdate ?? null,
          })
        } catch (e) {
          const code = isBaridError(e) ? e.code : 'ERR_INTERNAL'
          run.failed.push({ kid: ca.kid, current: ca.current, code })
          if (ca.current) currentError = e
          o.log.error('revocation list renewal failed', {
            ca: ca.kid,
            current: ca.current,
            code,
            error: String(e).slice(0, 200),
          })
        }
      }
      if (r.requireCurrent === true && currentError !== undefined) throw currentError
      return run
    },
    async inService() {
      return (await servedCas()).filter((c) => c.inService).map((c) => c.kid)
    },
  }
}
