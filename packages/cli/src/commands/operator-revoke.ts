/**
 * @module commands/operator-revoke
 * `barid operator revoke`: adds certificates to the revocation list of the operator CA that
 * issued them (spec/21 section 6: one list per CA) and issues that list's next version, signed
 * with that CA's key. After a CA rotation the directory holds the previous CA too
 * (`operator-cas.ts`), so a certificate of either CA can be revoked.
 */
import { integer, iso, many, optional, parseTime, type Command } from '../command.js'
import {
  BaridError,
  revocationListUrl,
  type ParsedCertificate,
  type RevokedEntry,
} from '../core.js'
import { UsageError } from '../errors.js'
import { readCertificate } from '../documents.js'
import { resolvePath } from '../files.js'
import { readOperatorConfig } from '../operator-dir.js'
import {
  CA_FILES,
  issueRevocationList,
  issuerIn,
  readCaKey,
  readOperatorCas,
  type OperatorCa,
} from '../operator-cas.js'

const REASONS = ['key-compromise', 'superseded', 'cessation'] as const

function known(cas: readonly OperatorCa[]): string {
  return cas.map((c) => `${c.kid}${c.current ? ' (current)' : ''}`).join(', ')
}

export const operatorRevoke: Command = {
  name: ['operator', 'revoke'],
  summary: 'Revoke certificates and issue the next signed revocation list of the CA that issued them',
  help: `Usage: barid operator revoke (--serial HEX | --cert FILE)... [--ca=KID] [--at TIME] [--reason R] [--dir DIR]

Adds certificates to the revocation list of the operator CA that issued them and signs that
list's next version with that CA's key. Each CA has its own list, revocations/<kid>.cose (kid:
the CA key id); a single revocations.cose of an earlier version is read as the list of the CA
that signed it, and replaced. The reference node serves and reissues every list itself;
otherwise publish each at the URL printed, under each of the operator's endpoints. Signatures
dated at or after --at are refused; earlier ones still verify, so for a compromised key give the
earliest time it may have been in other hands (spec/23).
With no --serial or --cert, reissues the list unchanged with a new next-update.

After a CA rotation (barid operator rotate-ca) the previous CA stays in previous-cas/ with its
key, so that its list goes on until governance retires it: a --cert is entered in the list of
its issuer, current or previous. A --serial goes to the current CA's list unless --ca names
another.

Options:
      --serial HEX         Serial number to revoke (see barid cert inspect). Repeatable.
      --cert FILE          Certificate to revoke. Repeatable; all of one CA.
      --ca=KID             The CA whose list to issue (its key id, as in the list's URL; with "=",
                           as a key id may begin with "-").
                           Default: the issuer of the --cert certificates, else the current CA.
      --at TIME            Revocation time. Default: now.
      --reason R           key-compromise (default), superseded or cessation.
      --days N             Days until next-update (max 31). Default: 7.
      --dir DIR            Operator directory (with ca.key.jwk and ca.crt.pem). Default: .`,
  options: {
    serial: { type: 'string', multiple: true },
    cert: { type: 'string', multiple: true },
    ca: { type: 'string' },
    at: { type: 'string' },
    reason: { type: 'string' },
    days: { type: 'string' },
    dir: { type: 'string' },
  },
  async run(ctx, values) {
    const dir = resolvePath(ctx.cwd, optional(values, 'dir') ?? '.')
    const reason = optional(values, 'reason') ?? 'key-compromise'
    if (!(REASONS as readonly string[]).includes(reason))
      throw new UsageError(`--reason must be one of ${REASONS.join(', ')}`)
    const at = typeof values.at === 'string' ? parseTime(values.at, 'at') : ctx.now
    const days = integer(values, 'days', 7, 31)
    const serials = many(values, 'serial').map((s) => s.toLowerCase())
    for (const s of serials)
      if (!/^([0-9a-f]{2}){1,21}$/.test(s))
        throw new UsageError(`--serial ${s}: expected hex bytes, as barid cert inspect shows`)
    const config = await readOperatorConfig(dir)
    const cas = await readOperatorCas(dir, config.operator)
    const wanted = optional(values, 'ca')
    let ca: OperatorCa | undefined
    if (wanted !== undefined) {
      ca = cas.find((c) => c.kid === wanted)
      if (ca === undefined)
        throw new UsageError(`--ca ${wanted.slice(0, 100)}: not a CA in ${dir} (${known(cas)})`)
    }
    const certs: { file: string; cert: ParsedCertificate; issuer: OperatorCa }[] = []
    for (const f of many(values, 'cert')) {
      const cert = await readCertificate(resolvePath(ctx.cwd, f))
      // An operator revokes only what its own CAs issued.
      if (cert.operatorId !== config.operator)
        throw new BaridError(
          'ERR_CERT_OPERATOR_MISMATCH',
          `--cert ${f} was not issued to ${config.operator}`,
          { details: { operator: config.operator, certificate: cert.operatorId ?? null } },
        )
      const issuer = issuerIn(cas, cert)
      if (issuer === undefined)
        throw new BaridError(
          'ERR_CERT_UNTRUSTED',
          `--cert ${f} was not issued by a CA in ${dir} (${known(cas)})`,
          { details: { operator: config.operator } },
        )
      certs.push({ file: f, cert, issuer })
    }
    ca ??= certs[0]?.issuer ?? cas[0]!
    const other = certs.find((c) => c.issuer.kid !== ca.kid)
    if (other !== undefined)
      throw new UsageError(
        `--cert ${other.file} was issued by CA ${other.issuer.kid}, not ${ca.kid}: revoke the certificates of each CA in a run of its own`,
      )
    const keys = await readCaKey(dir, ca)
    const add: RevokedEntry[] = [...serials, ...certs.map((c) => c.cert.serialNumber)].map(
      (serial) => ({ serial, at, reason: reason as (typeof REASONS)[number] }),
    )
    const issued = await issueRevocationList(dir, config.operator, ca, keys, {
      add,
      now: ctx.now,
      nextUpdate: ctx.now + days * 86_400,
    })
    const path = new URL(revocationListUrl('https://operator.invalid/', ca.certificate)).pathname
    if (ctx.json) {
      ctx.out(
        JSON.stringify({
          ok: true,
          operator: config.operator,
          ca: ca.kid,
          current: ca.current,
          sequence: issued.sequence,
          revoked: issued.revoked,
          nextUpdate: iso(issued.nextUpdate),
          file: issued.file,
          path,
        }),
      )
      return
    }
    ctx.out(
      `Revocation list #${issued.sequence} of ${ca.current ? 'the current' : 'the previous'} CA ${ca.kid} of ${config.operator}: ${issued.revoked} certificate(s) revoked, next update ${iso(issued.nextUpdate)}`,
    )
    ctx.out(`  publish ${CA_FILES.revocations(ca.kid)} at ${path} under each endpoint`)
  },
}
