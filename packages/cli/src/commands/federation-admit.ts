/**
 * @module commands/federation-admit
 * `barid federation admit`: verifies an operator's admission request (its CSR proves possession
 * of the CA key), issues the operator CA certificate from the federation root, and issues a new
 * trust list with the operator active.
 */
import { join } from 'node:path'
import { integer, iso, optional, parseTime, required, type Command } from '../command.js'
import {
  BaridError,
  createCertificate,
  derToPem,
  readCertificateRequest,
  type OperatorEntry,
} from '../core.js'
import { fileRefusal, inFile } from '../errors.js'
import { findOperator, loadFederation, nextContent, publishList } from '../federation-state.js'
import { readJson, resolvePath, writePublic } from '../files.js'
import type { AdmissionRequest } from './operator-init.js'

/** Checks the shape of the admission request read from `path`; its CSR is verified later. */
function readRequest(value: unknown, path: string): AdmissionRequest {
  const r = value as Partial<AdmissionRequest> | null
  const strings = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === 'string')
  const ok =
    r !== null &&
    typeof r === 'object' &&
    r.version === 1 &&
    typeof r.operator === 'string' &&
    typeof r.country === 'string' &&
    typeof r.names === 'object' &&
    r.names !== null &&
    Object.values(r.names).every((n) => typeof n === 'string') &&
    typeof r.names.en === 'string' &&
    strings(r.endpoints) &&
    typeof r.csr === 'string' &&
    (r.schemes === undefined || strings(r.schemes))
  if (!ok) throw fileRefusal(path, 'is not an admission request made by barid operator init')
  return { ...(r as AdmissionRequest), schemes: r.schemes ?? [] }
}

export const federationAdmit: Command = {
  name: ['federation', 'admit'],
  summary: 'Admit an operator: sign its CA certificate and issue a new trust list',
  help: `Usage: barid federation admit --request FILE [--dir DIR] [options]

Reads an admission request (from barid operator init), verifies its certificate signing
request (the operator proves it holds the CA key), signs an operator CA certificate with the
federation root key, and issues the next trust list with the operator active from
--effective. The CA certificate is written to operators/<id>/ca-<serial>.crt.pem: send it back
to the operator.

With --add-ca, an operator already listed gets an additional CA (CA rotation); its entry
otherwise stays as it is.

Options:
      --request FILE       The operator's admission-request.json (required).
      --dir DIR            Federation directory. Default: .
      --ca-days N          Operator CA certificate lifetime in days (max 3653). Default: 3653,
                           and never past the root certificate.
      --effective TIME     When the operator becomes active. Default: now.
      --add-ca             Add a CA to an operator already in the list.`,
  options: {
    request: { type: 'string' },
    dir: { type: 'string' },
    'ca-days': { type: 'string' },
    effective: { type: 'string' },
    'add-ca': { type: 'boolean' },
  },
  async run(ctx, values) {
    const dir = resolvePath(ctx.cwd, optional(values, 'dir') ?? '.')
    // The command line is checked before any file is read: its mistakes are usage errors.
    const requestPath = resolvePath(ctx.cwd, required(values, 'request'))
    const caDays = integer(values, 'ca-days', 3653, 3653)
    const effective =
      typeof values.effective === 'string' ? parseTime(values.effective, 'effective') : ctx.now
    const state = await loadFederation(dir, ctx.now)
    const request = readRequest(await readJson(requestPath), requestPath)
    const csr = await inFile(requestPath, () => readCertificateRequest(request.csr))
    if (csr.operatorId !== request.operator) {
      throw new BaridError(
        'ERR_CERT_OPERATOR_MISMATCH',
        'the certificate signing request names another operator than the admission request',
        { details: { request: request.operator, csr: csr.operatorId ?? null } },
      )
    }
    // Admitting again would replace the operator's status history (spec 20.4).
    const existing =
      values['add-ca'] === true
        ? findOperator(state.list, request.operator)
        : state.list.operators.find((o) => o.id === request.operator)
    if (existing !== undefined && values['add-ca'] !== true) {
      throw new BaridError(
        'ERR_GOVERNANCE_CONFLICT',
        `${request.operator} is already in the trust list; use --add-ca to add a CA, or reinstate to reactivate it`,
        { details: { operator: request.operator } },
      )
    }
    const notAfter = Math.min(
      ctx.now + caDays * 86_400,
      Math.floor(state.root.notAfter.getTime() / 1000),
    )
    const ca = await createCertificate({
      role: 'operator-ca',
      subjectName: { commonName: `${request.names.en} CA`.slice(0, 64), country: request.country },
      publicKey: csr.key.publicKey,
      issuer: { certificate: state.root, privateKey: state.rootKeys.privateKey },
      operatorId: request.operator,
      notBefore: new Date(ctx.now * 1000),
      notAfter: new Date(notAfter * 1000),
    })
    const entry: OperatorEntry =
      existing !== undefined
        ? { ...existing, cas: [...existing.cas, { cert: ca.der }] }
        : {
            id: request.operator,
            country: request.country,
            names: request.names,
            endpoints: request.endpoints,
            schemes: request.schemes,
            cas: [{ cert: ca.der }],
            status: [{ state: 'active', from: effective }],
          }
    const operators = [...state.list.operators.filter((o) => o.id !== request.operator), entry]
    const list = await publishList(state, nextContent(state, ctx.now, { operators }), ctx.now)
    const caFile = join(dir, 'operators', request.operator, `ca-${ca.serialNumber}.crt.pem`)
    await writePublic(caFile, derToPem(ca.der))
    if (ctx.json) {
      ctx.out(
        JSON.stringify({
          ok: true,
          operator: request.operator,
          sequence: list.sequence,
          caCertificate: caFile,
          caSerial: ca.serialNumber,
        }),
      )
      return
    }
    ctx.out(`Admitted ${request.operator} (${request.names.en}), active from ${iso(effective)}`)
    ctx.out(
      `  operator CA certificate ${caFile} (serial ${ca.serialNumber}): send it to the operator`,
    )
    ctx.out(`  trust list sequence ${list.sequence}, next update ${iso(list.nextUpdate)}`)
  },
}
