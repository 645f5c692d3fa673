/**
 * @module trust/chain-cache
 * A bounded cache of peer chain validations (`spec/21-operator-pki.md` section 21.3): the
 * time-independent part of a validation (signatures, names, profile) for one certificate, role
 * and operator under one trust list, usable for any time inside the path's validity window.
 * Status, CA retirement and revocation are not cached: they are asked on every check.
 */
import { sha256, toHex } from '../bytes.js'
import type { ParsedCertificate } from '../x509/certificate.js'
import type { CertificateRole } from '../x509/roles.js'
import type { UnixSeconds } from './types.js'

/** What is remembered of one validation. */
export interface CachedChain {
  /** Sequence of the trust list it was validated under. */
  readonly sequence: number
  readonly certificate: ParsedCertificate
  /** Index of the issuing CA in the operator's `cas`. */
  readonly caIndex: number
  /** The path's validity window: the latest notBefore and the earliest notAfter. */
  readonly from: UnixSeconds
  readonly until: UnixSeconds
}

/** DER digests of parsed certificates, by object (see {@link ChainCache.keyOfParsed}). */
const parsedDigests = new WeakMap<ParsedCertificate, string>()

/** Least-recently-used map of cached validations. */
export class ChainCache {
  readonly #entries = new Map<string, CachedChain>()

  constructor(readonly size: number) {}

  /** The cache key of a certificate (DER), role and operator. */
  static async key(der: Uint8Array, role: CertificateRole, operator: string): Promise<string> {
    return `${toHex(await sha256(der))}|${role}|${operator}`
  }

  /**
   * The same key for a parsed certificate, its DER digest taken once per object: a node checks
   * the same parsed certificates over and over. Only parsed certificates are remembered, by
   * identity: their fields were fixed when they were parsed, so a later change to their `der`
   * bytes cannot make them stand for another certificate (a raw byte array could be changed in
   * place between two calls, so it is hashed every time).
   */
  static async keyOfParsed(
    certificate: ParsedCertificate,
    role: CertificateRole,
    operator: string,
  ): Promise<string> {
    let digest = parsedDigests.get(certificate)
    if (digest === undefined) {
      digest = toHex(await sha256(certificate.der))
      parsedDigests.set(certificate, digest)
    }
    return `${digest}|${role}|${operator}`
  }

  /** The entry for `key` if it was made under list `sequence` and its window contains `at`. */
  get(key: string, sequence: number, at: UnixSeconds): CachedChain | undefined {
    const hit = this.#entries.get(key)
    if (hit === undefined || hit.sequence !== sequence || at < hit.from || at > hit.until)
      return undefined
    this.#entries.delete(key)
    this.#entries.set(key, hit)
    return hit
  }

  /** Remembers a validated path, evicting the least recently used entry when full. */
  set(key: string, sequence: number, path: readonly ParsedCertificate[], caIndex: number): void {
    const from = Math.max(...path.map((c) => Math.ceil(c.notBefore.getTime() / 1000)))
    const until = Math.min(...path.map((c) => Math.floor(c.notAfter.getTime() / 1000)))
    this.#entries.delete(key)
    this.#entries.set(key, {
      sequence,
      certificate: path[0] as ParsedCertificate,
      caIndex,
      from,
      until,
    })
    while (this.#entries.size > this.size)
      this.#entries.delete(this.#entries.keys().next().value as string)
  }

  clear(): void {
    this.#entries.clear()
  }
}
