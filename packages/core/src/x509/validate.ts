/**
 * @module x509/validate
 * Certification path validation for Barid (`spec/08-keys-and-certificates.md` section 5): builds
 * the path leaf -> operator CA -> federation root by key identifiers, then checks it from the
 * anchor down, in the RFC 5280 section 6.1 spirit but with Barid's fixed, short hierarchy. Every
 * failure carries its own code; the order of checks is normative.
 */
import { bytesEqual, toHex } from '../bytes.js'
import { BaridError, isBaridError, type BaridErrorCode } from '../errors.js'
import {
  isParsedCertificate,
  type CertificateInput,
  type ParsedCertificate,
} from './certificate.js'
import { parseCertificate } from './parse.js'
import { checkProfile } from './profiles.js'
import { PROFILES, isCertificateRole, type CertificateRole } from './roles.js'
import { verifyCertificateSignature } from './signature.js'

/** What a revocation hook says about one certificate. */
export type RevocationStatus = 'good' | 'revoked' | 'unknown'

/** What to do when the hook answers `unknown`: refuse (`hard-fail`) or accept (`soft-fail`). */
export type RevocationPolicy = 'hard-fail' | 'soft-fail'

/** Longest path ever accepted, whatever `maxLength` says. */
export const MAX_PATH_LENGTH = 8
/** Most intermediates a caller may offer. */
export const MAX_INTERMEDIATES = 8
/** Most anchors a caller may offer. */
export const MAX_ANCHORS = 1024
// Complete candidate paths examined before giving up (bounds work on adversarial input).
const MAX_PATH_ATTEMPTS = 16

/** Options of {@link validateChain}. */
export interface ValidateChainOptions {
  leaf: CertificateInput
  /** Candidate intermediate (operator CA) certificates, in any order. */
  intermediates?: readonly CertificateInput[]
  /** Trust anchors: federation root certificates. */
  anchors: readonly CertificateInput[]
  /** The role the leaf must have. */
  role: CertificateRole
  /** The validation time. */
  at: Date
  /**
   * Revocation hook, called for each certificate of a path below the anchor once every other
   * check has passed. A hook that throws or answers anything else counts as `unknown`.
   */
  checkRevocation?: (cert: ParsedCertificate) => Promise<RevocationStatus>
  /** Default `hard-fail`. */
  revocationPolicy?: RevocationPolicy
  /** Most certificates in a path, anchor included. Default 3, at most {@link MAX_PATH_LENGTH}. */
  maxLength?: number
}

/** A validated path. */
export interface ValidatedChain {
  readonly role: CertificateRole
  readonly leaf: ParsedCertificate
  readonly anchor: ParsedCertificate
  /** Leaf first, anchor last. */
  readonly path: readonly ParsedCertificate[]
  /**
   * Revocation outcome for each certificate of `path` except the anchor: `good`, `unknown`
   * (accepted under `soft-fail`) or `not-checked` (no hook).
   */
  readonly revocation: readonly ('good' | 'unknown' | 'not-checked')[]
}

/**
 * Validates `leaf` for `role` at time `at` against `anchors`. Returns the path, or throws the
 * `ERR_CERT_*` code of the first rule broken (spec section 5), `ERR_INPUT_TOO_LARGE` for too many
 * or too large inputs, or `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const chain = await validateChain({
 *   leaf: senderCert, intermediates: [operatorCa], anchors: trustList.roots,
 *   role: 'mailbox-signing', at: new Date(),
 *   checkRevocation: (c) => revocations.status(c),
 * })
 * chain.leaf.mailbox // 'ministry@post.eg'
 * ```
 */
export async function validateChain(options: ValidateChainOptions): Promise<ValidatedChain> {
  const { role, at } = options
  if (!isCertificateRole(role)) throw argument('role is not a certificate role')
  if (!(at instanceof Date) || !Number.isFinite(at.getTime()))
    throw argument('at must be a valid Date')
  const maxLength = options.maxLength ?? 3
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_PATH_LENGTH) {
    throw argument(`maxLength must be an integer from 1 to ${MAX_PATH_LENGTH}`)
  }
  const policy = options.revocationPolicy ?? 'hard-fail'
  if (policy !== 'hard-fail' && policy !== 'soft-fail') throw argument('unknown revocation policy')
  const intermediates = options.intermediates ?? []
  if (!Array.isArray(intermediates) || !Array.isArray(options.anchors)) {
    throw argument('intermediates and anchors must be arrays')
  }
  if (intermediates.length > MAX_INTERMEDIATES) throw tooMany('intermediates', MAX_INTERMEDIATES)
  if (options.anchors.length > MAX_ANCHORS) throw tooMany('anchors', MAX_ANCHORS)

  const leaf = await toView(options.leaf)
  const anchors = await Promise.all(options.anchors.map(toView))
  const pool = await Promise.all(intermediates.map(toView))
  const anchorDer = new Set(anchors.map((a) => toHex(a.der)))
  const isAnchor = (c: ParsedCertificate) => anchorDer.has(toHex(c.der))

  // Depth-first search over issuers; the first complete path that passes every check wins.
  let firstPathError: unknown
  let sawTooLong = false
  let attempts = 0
  const search = async (path: ParsedCertificate[]): Promise<ValidatedChain | undefined> => {
    const last = path[path.length - 1]!
    if (isAnchor(last)) {
      if (++attempts > MAX_PATH_ATTEMPTS) return undefined
      try {
        return await checkPath(path, options, policy)
      } catch (e) {
        if (!isBaridError(e)) throw e
        firstPathError ??= e
        return undefined
      }
    }
    if (path.length >= maxLength) {
      sawTooLong = true
      return undefined
    }
    for (const next of issuersOf(last, anchors, pool)) {
      if (path.some((c) => bytesEqual(c.der, next.der))) continue
      const found = await search([...path, next])
      if (found !== undefined) return found
    }
    return undefined
  }
  const found = await search([leaf])
  if (found !== undefined) return found
  if (firstPathError !== undefined) throw firstPathError
  if (sawTooLong) {
    throw new BaridError('ERR_CERT_PATH_LENGTH', `no path of at most ${maxLength} certificates`, {
      details: { maxLength },
    })
  }
  throw new BaridError('ERR_CERT_UNTRUSTED', 'no path leads from the certificate to a trust anchor')
}

// Issuer candidates: certificates whose subjectKeyIdentifier equals the authorityKeyIdentifier
// (RFC 5280 section 4.2.1.1), or, without one, whose subject equals the issuer name. Anchors first.
function issuersOf(
  cert: ParsedCertificate,
  anchors: readonly ParsedCertificate[],
  pool: readonly ParsedCertificate[],
): ParsedCertificate[] {
  const aki = cert.authorityKeyId
  const matches = (c: ParsedCertificate) =>
    aki !== undefined
      ? c.subjectKeyId !== undefined && bytesEqual(c.subjectKeyId, aki)
      : bytesEqual(c.subject.der, cert.issuer.der)
  return [...anchors.filter(matches), ...pool.filter(matches)]
}

async function checkPath(
  path: readonly ParsedCertificate[],
  options: ValidateChainOptions,
  policy: RevocationPolicy,
): Promise<ValidatedChain> {
  const n = path.length - 1
  const expected = PROFILES[options.role].pathCertificates
  // Step 1: the shape of a Barid path is fixed by the role of its leaf.
  if (path.length > expected) {
    throw pathError(
      'ERR_CERT_PATH_LENGTH',
      n,
      `a ${options.role} path has ${expected} certificates`,
    )
  }
  if (path.length < expected) {
    const issuerRole = PROFILES[options.role].issuerRole
    throw pathError(
      'ERR_CERT_PROFILE',
      0,
      `the issuer of a ${options.role} certificate must have role ${issuerRole}`,
    )
  }
  const at = options.at.getTime()
  for (let j = n; j >= 0; j--) {
    const cert = path[j]!
    const role: CertificateRole =
      j === n ? 'federation-root' : j === 0 ? options.role : 'operator-ca'
    if (j < n) {
      const issuer = path[j + 1]!
      // Step 2 and 3: signature by the next certificate's key, then name chaining.
      if (!(await signatureHolds(cert, issuer))) {
        throw pathError(
          'ERR_CERT_SIGNATURE_INVALID',
          j,
          'signature does not verify under the issuer key',
        )
      }
      if (!bytesEqual(cert.issuer.der, issuer.subject.der)) {
        throw pathError(
          'ERR_CERT_NAME_CHAINING',
          j,
          "issuer name differs from the issuer's subject",
        )
      }
    }
    // Step 4: validity, both ends inclusive (RFC 5280 section 4.1.2.5).
    if (at < cert.notBefore.getTime()) throw pathError('ERR_CERT_NOT_YET_VALID', j, 'not yet valid')
    if (at > cert.notAfter.getTime()) throw pathError('ERR_CERT_EXPIRED', j, 'expired')
    // Step 5: the profile of the role this position requires.
    checkProfile(cert, role, j)
    // Step 6: path length constraint of an issuer: intermediates below it (RFC 5280 6.1.4 (m)).
    const pathLength = cert.basicConstraints?.pathLength
    if (j > 0 && pathLength !== undefined && j - 1 > pathLength) {
      throw pathError('ERR_CERT_PATH_LENGTH', j, 'pathLenConstraint exceeded')
    }
    // Step 7: a certificate below an operator CA names that operator.
    const belowCa = j === 0 && n > 0 && PROFILES[role].issuerRole === 'operator-ca'
    if (belowCa && cert.operatorId !== path[1]!.operatorId) {
      throw pathError('ERR_CERT_PROFILE', j, "operator differs from the issuing operator CA's")
    }
  }
  const revocation = await checkRevocations(path, options, policy)
  return { role: options.role, leaf: path[0]!, anchor: path[n]!, path: [...path], revocation }
}

// Step 8: revocation, issuers first, only once everything else holds (no lookups for bad chains).
async function checkRevocations(
  path: readonly ParsedCertificate[],
  options: ValidateChainOptions,
  policy: RevocationPolicy,
): Promise<('good' | 'unknown' | 'not-checked')[]> {
  const hook = options.checkRevocation
  const out: ('good' | 'unknown' | 'not-checked')[] = path.slice(0, -1).map(() => 'not-checked')
  if (hook === undefined) return out
  for (let j = path.length - 2; j >= 0; j--) {
    let status: unknown
    try {
      status = await hook(path[j]!)
    } catch {
      status = 'unknown'
    }
    if (status === 'revoked') throw pathError('ERR_CERT_REVOKED', j, 'revoked')
    if (status !== 'good') {
      if (policy === 'hard-fail') {
        throw pathError('ERR_CERT_REVOCATION_UNAVAILABLE', j, 'revocation status unknown')
      }
      out[j] = 'unknown'
    } else {
      out[j] = 'good'
    }
  }
  return out
}

// An issuer key that does not even import (a P-256 point off the curve) verifies nothing.
async function signatureHolds(
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
): Promise<boolean> {
  try {
    return await verifyCertificateSignature(cert, issuer)
  } catch (e) {
    if (isBaridError(e, 'ERR_KEY_INVALID')) return false
    throw e
  }
}

async function toView(input: CertificateInput): Promise<ParsedCertificate> {
  if (typeof input === 'string' || input instanceof Uint8Array || isParsedCertificate(input)) {
    return parseCertificate(input)
  }
  throw argument('certificates must be parsed views, DER bytes or PEM text')
}

function pathError(code: BaridErrorCode, index: number, rule: string): BaridError {
  return new BaridError(code, `certificate ${index}: ${rule}`, { details: { index, rule } })
}

function argument(message: string): BaridError {
  return new BaridError('ERR_INVALID_ARGUMENT', message)
}

function tooMany(what: string, limit: number): BaridError {
  return new BaridError('ERR_INPUT_TOO_LARGE', `too many ${what}`, { details: { limit } })
}
