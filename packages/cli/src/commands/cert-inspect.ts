/**
 * @module commands/cert-inspect
 * `barid cert inspect FILE`: what a certificate says (role, operator, keys, validity), and with
 * a trust list, whether it speaks for its operator at a given time.
 */
import { iso, many, optional, parseTime, type Command } from '../command.js'
import {
  BARID_EKU,
  parseCertificate,
  pemToDer,
  sha256,
  toBase64Url,
  toHex,
  type ParsedCertificate,
  TrustStore,
} from '../core.js'
import { fileRefusal, inFile, UsageError } from '../errors.js'
import { readCertificateFile, resolvePath } from '../files.js'
import { loadTrustList, readGovernanceKeys } from '../trust-input.js'

const EKU_NAMES: Record<string, string> = {
  [BARID_EKU.requestSigning]: 'barid-request-signing',
  [BARID_EKU.evidenceSigning]: 'barid-evidence-signing',
  [BARID_EKU.mailbox]: 'barid-mailbox',
  [BARID_EKU.sender]: 'barid-sender',
}
const ROLES = [
  'node',
  'operator-ca',
  'mailbox-encryption',
  'mailbox-signing',
  'federation-root',
] as const

async function describe(cert: ParsedCertificate) {
  return {
    role: cert.role ?? null,
    subject: cert.subject.text,
    issuer: cert.issuer.text,
    serial: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    keyType: cert.keyType ?? null,
    kid: cert.kid === undefined ? null : toBase64Url(cert.kid),
    operator: cert.operatorId ?? null,
    mailbox: cert.mailbox ?? null,
    ca: cert.basicConstraints?.ca ?? false,
    pathLength: cert.basicConstraints?.pathLength ?? null,
    keyUsage: cert.keyUsage?.usages ?? [],
    extKeyUsage: (cert.extKeyUsage ?? []).map((o) => EKU_NAMES[o] ?? o),
    signatureAlgorithm: cert.signatureAlgorithm ?? null,
    sha256: toHex(await sha256(cert.der)),
  }
}

export const certInspect: Command = {
  name: ['cert', 'inspect'],
  summary: 'Show what a certificate says, and optionally validate it against a trust list',
  help: `Usage: barid cert inspect FILE [--trust-list FILE --governance-key JWK [options]]

Prints a certificate's role, subject, issuer, serial, validity, key id (RFC 7638 thumbprint),
operator or mailbox, key usages and SHA-256 fingerprint. FILE is PEM (several certificates are
shown in turn) or DER. With --trust-list, also validates the (first) certificate against it for
its operator at --at: chain to a listed CA and root, role profile, operator status and CA
retirement (revocation is not checked here). Exits 1 if that validation fails.

Options:
      --trust-list FILE      A trust list to validate against.
      --governance-key JWK   Its governance public key. Repeatable.
      --role ROLE            Role to validate for. Default: the role the certificate claims.
      --at TIME              Validation time (a signature's time). Default: now.`,
  options: {
    'trust-list': { type: 'string' },
    'governance-key': { type: 'string', multiple: true },
    role: { type: 'string' },
    at: { type: 'string' },
  },
  positionals: ['file'],
  async run(ctx, values, [file]) {
    const path = resolvePath(ctx.cwd, file as string)
    const input = await readCertificateFile(path)
    const certs = await inFile(path, () => {
      const ders = typeof input === 'string' ? splitPem(input, path) : [input]
      return Promise.all(ders.map((d) => parseCertificate(d)))
    })
    const described = await Promise.all(certs.map(describe))
    let validation: Record<string, unknown> | undefined
    const listFile = optional(values, 'trust-list')
    if (listFile !== undefined) {
      const cert = certs[0] as ParsedCertificate
      const given = optional(values, 'role')
      const role = given ?? cert.role
      if (
        role === undefined ||
        !(ROLES as readonly string[]).includes(role) ||
        role === 'federation-root' ||
        role === 'operator-ca'
      ) {
        const roles = 'node, mailbox-encryption or mailbox-signing'
        if (given !== undefined) throw new UsageError(`--role must be ${roles}`)
        // No option was wrong: the certificate claims a role not validated here.
        throw fileRefusal(
          path,
          `is a certificate of role ${role ?? 'none'}; validation is for ${roles} (--role)`,
          'ERR_CERT_PROFILE',
        )
      }
      if (cert.operatorId === undefined)
        throw fileRefusal(
          path,
          'names no operator to validate against',
          'ERR_CERT_OPERATOR_MISMATCH',
        )
      const keys = await readGovernanceKeys(ctx.cwd, many(values, 'governance-key'))
      const list = await loadTrustList(ctx.cwd, listFile, keys, ctx.now)
      const store = await TrustStore.open(list, { now: () => ctx.now })
      const at = typeof values.at === 'string' ? parseTime(values.at, 'at') : ctx.now
      const peer = await store.validatePeerChain(cert, {
        operator: cert.operatorId,
        at,
        role: role as (typeof ROLES)[number],
        offline: true,
      })
      validation = {
        valid: true,
        operator: peer.operator.id,
        at: iso(at),
        role,
        caSerial: peer.ca.serialNumber,
        trustList: list.sequence,
      }
    }
    if (ctx.json) {
      ctx.out(
        JSON.stringify({
          ok: true,
          certificates: described,
          ...(validation ? { validation } : {}),
        }),
      )
      return
    }
    for (const [i, d] of described.entries()) {
      if (described.length > 1) ctx.out(`Certificate ${i + 1} of ${described.length}`)
      ctx.out(`  role          ${d.role ?? '(none: not a Barid profile)'}`)
      ctx.out(`  subject       ${d.subject}`)
      ctx.out(`  issuer        ${d.issuer}`)
      ctx.out(`  serial        ${d.serial}`)
      ctx.out(`  valid         ${d.notBefore} .. ${d.notAfter}`)
      ctx.out(`  key           ${d.keyType ?? 'unsupported'}, kid ${d.kid ?? '-'}`)
      if (d.operator !== null) ctx.out(`  operator      ${d.operator}`)
      if (d.mailbox !== null) ctx.out(`  mailbox       ${d.mailbox}`)
      ctx.out(`  CA            ${d.ca ? `yes, path length ${d.pathLength ?? 'unlimited'}` : 'no'}`)
      ctx.out(`  key usage     ${d.keyUsage.join(', ') || '-'}`)
      ctx.out(`  ext key usage ${d.extKeyUsage.join(', ') || '-'}`)
      ctx.out(`  SHA-256       ${d.sha256}`)
    }
    if (validation !== undefined) {
      ctx.out(
        `Valid for ${validation.operator} as ${validation.role} at ${validation.at} (trust list #${validation.trustList}, CA ${validation.caSerial})`,
      )
    }
  },
}

function splitPem(text: string, path: string): Uint8Array[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []
  if (blocks.length === 0)
    throw fileRefusal(path, 'holds no PEM certificate', 'ERR_CERT_MALFORMED')
  if (blocks.length > 16)
    throw fileRefusal(path, 'holds more than 16 certificates', 'ERR_INPUT_TOO_LARGE')
  return blocks.map((b) => pemToDer(b))
}
