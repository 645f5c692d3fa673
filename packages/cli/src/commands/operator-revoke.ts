/**
 * @module commands/operator-revoke
 * `barid operator revoke`: adds certificates to the operator's signed revocation list
 * (spec/21 section 6) and issues the list's next version, signed with the operator CA key.
 */
import { join } from 'node:path'
import { integer, iso, many, optional, parseTime, type Command } from '../command.js'
import {
  BaridError,
  createRevocationList,
  revocationListUrl,
  verifyRevocationList,
} from '../core.js'
import { UsageError } from '../errors.js'
import { readCertificate, readKeyPair } from '../documents.js'
import { exists, readBytes, resolvePath, writePublic } from '../files.js'
import { readOperatorConfig } from '../operator-dir.js'
import { OPERATOR_FILES } from './operator-init.js'

const REASONS = ['key-compromise', 'superseded', 'cessation'] as const

export const operatorRevoke: Command = {
  name: ['operator', 'revoke'],
  summary: "Revoke certificates and issue the operator's next signed revocation list",
  help: `Usage: barid operator revoke (--serial HEX | --cert FILE)... [--at TIME] [--reason R] [--dir DIR]

Adds certificates issued by this operator's CA to its revocation list and signs the next
version with the CA key (revocations.cose). Publish it at the URL printed, under each of the
operator's endpoints. Signatures dated at or after --at are refused; earlier ones still verify,
so for a compromised key give the earliest time it may have been in other hands (spec/23).
With no --serial or --cert, reissues the list unchanged with a new next-update.

Options:
      --serial HEX         Serial number to revoke (see barid cert inspect). Repeatable.
      --cert FILE          Certificate to revoke. Repeatable.
      --at TIME            Revocation time. Default: now.
      --reason R           key-compromise (default), superseded or cessation.
      --days N             Days until next-update (max 31). Default: 7.
      --dir DIR            Operator directory (with ca.key.jwk and ca.crt.pem). Default: .`,
  options: {
    serial: { type: 'string', multiple: true },
    cert: { type: 'string', multiple: true },
    at: { type: 'string' },
    reason: { type: 'string' },
    days: { type: 'string' },
    dir: { type: 'string' },
  },
  async run(ctx, values) {
    const dir = resolvePath(ctx.cwd, optional(values, 'dir') ?? '.')
    const config = await readOperatorConfig(dir)
    const ca = await readCertificate(join(dir, OPERATOR_FILES.caCert))
    const caKeys = await readKeyPair(join(dir, OPERATOR_FILES.caKey))
    const reason = optional(values, 'reason') ?? 'key-compromise'
    if (!(REASONS as readonly string[]).includes(reason))
      throw new UsageError(`--reason must be one of ${REASONS.join(', ')}`)
    const at = typeof values.at === 'string' ? parseTime(values.at, 'at') : ctx.now
    const serials = many(values, 'serial').map((s) => s.toLowerCase())
    for (const s of serials)
      if (!/^([0-9a-f]{2}){1,21}$/.test(s))
        throw new UsageError(`--serial ${s}: expected hex bytes, as barid cert inspect shows`)
    for (const f of many(values, 'cert')) {
      const cert = await readCertificate(resolvePath(ctx.cwd, f))
      // An operator revokes only what its own CA issued.
      if (cert.operatorId !== config.operator)
        throw new BaridError(
          'ERR_CERT_OPERATOR_MISMATCH',
          `--cert ${f} was not issued to ${config.operator}`,
          { details: { operator: config.operator, certificate: cert.operatorId ?? null } },
        )
      serials.push(cert.serialNumber)
    }
    const file = join(dir, OPERATOR_FILES.revocations)
    const previous = (await exists(file))
      ? await verifyRevocationList(await readBytes(file), {
          operator: config.operator,
          cas: [ca],
        })
      : undefined
    const revoked = new Map((previous?.revoked ?? []).map((e) => [e.serial, e]))
    for (const serial of serials) {
      if (!revoked.has(serial))
        revoked.set(serial, { serial, at, reason: reason as (typeof REASONS)[number] })
    }
    const sequence = (previous?.sequence ?? 0) + 1
    const nextUpdate = ctx.now + integer(values, 'days', 7, 31) * 86_400
    const bytes = await createRevocationList(
      {
        operator: config.operator,
        sequence,
        issued: ctx.now,
        nextUpdate,
        revoked: [...revoked.values()],
      },
      caKeys,
    )
    await writePublic(file, bytes, { replace: true })
    const path = new URL(revocationListUrl('https://operator.invalid/', ca)).pathname
    if (ctx.json) {
      ctx.out(
        JSON.stringify({
          ok: true,
          operator: config.operator,
          sequence,
          revoked: revoked.size,
          nextUpdate: iso(nextUpdate),
          file,
          path,
        }),
      )
      return
    }
    ctx.out(
      `Revocation list #${sequence} for ${config.operator}: ${revoked.size} certificate(s) revoked, next update ${iso(nextUpdate)}`,
    )
    ctx.out(`  publish ${OPERATOR_FILES.revocations} at ${path} under each endpoint`)
  },
}
