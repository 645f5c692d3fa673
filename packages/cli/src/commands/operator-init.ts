/**
 * @module commands/operator-init
 * `barid operator init`: an operator's CA key and certificate signing request, its first node
 * key, and the admission request the federation acts on.
 */
import { join } from 'node:path'
import { many, optional, required, type Command } from '../command.js'
import {
  BaridError,
  exportPrivateJwk,
  generateKeyPair,
  parseOperatorId,
  createCertificateRequest,
  parseEndpoint,
} from '../core.js'
import { UsageError } from '../errors.js'
import { resolvePath, writePublic, writeSecret } from '../files.js'
import { parseAlgorithm } from './federation-init.js'

/** The admission request an operator sends the federation (JSON). */
export interface AdmissionRequest {
  version: 1
  operator: string
  country: string
  names: { ar: string; da: string; en: string }
  endpoints: string[]
  schemes: string[]
  /** PKCS #10 request for the operator CA certificate, PEM. */
  csr: string
}

export const OPERATOR_FILES = {
  config: 'operator.json',
  caKey: 'ca.key.jwk',
  csr: 'ca.csr.pem',
  caCert: 'ca.crt.pem',
  nodeKey: 'node.key.jwk',
  nodePub: 'node.pub.jwk',
  nodeCert: 'node.crt.pem',
  request: 'admission-request.json',
} as const

function name(values: Record<string, unknown>, lang: string): string {
  const v = required(values as never, `name-${lang}`)
  // Characters are code points, as the trust list counts them (spec 20.3.1).
  if (v.trim().length === 0 || [...v].length > 200)
    throw new UsageError(`--name-${lang} must be 1-200 characters`)
  return v
}

export const operatorInit: Command = {
  name: ['operator', 'init'],
  summary: 'Create an operator CA key and signing request, a node key, and an admission request',
  help: `Usage: barid operator init --operator ID --country CC --name-ar NAME --name-da NAME
                           --name-en NAME --endpoint URL [--endpoint URL...] [--dir DIR] [options]

Prepares an operator in DIR (default: the current directory). The operator CA key never
leaves DIR: the federation receives a PKCS #10 certificate signing request (CSR) and signs an
operator CA certificate for that key at admission. Node certificates are then signed directly
by the operator's own CA (barid operator certify-node). Private keys are written with mode
0600 and never printed. Refuses to overwrite an existing operator.

Options:
      --operator ID        Operator id, e.g. post.eg (required).
      --country CC         ISO 3166-1 alpha-2 country code, e.g. EG (required).
      --name-ar/--name-da/--name-en NAME
                           Display names in Arabic, Danish and English (required).
      --endpoint URL       Base URL of a node (https; http only on loopback). Repeatable.
      --scheme SCHEME      Identifier scheme the operator answers for, e.g. eg:nid. Repeatable.
      --dir DIR            Operator directory. Default: .
      --alg ALG            Ed25519 (default) or ES256.

Writes: operator.json, ca.key.jwk (secret), ca.csr.pem, node.key.jwk (secret), node.pub.jwk,
admission-request.json (send this file to the federation).

Example:
  barid operator init --operator post.eg --country EG --name-en "Egypt Post" \\
    --name-ar "البريد المصري" --name-da "Egyptens Post" --endpoint https://barid.post.eg/ --scheme eg:nid`,
  options: {
    operator: { type: 'string' },
    country: { type: 'string' },
    'name-ar': { type: 'string' },
    'name-da': { type: 'string' },
    'name-en': { type: 'string' },
    endpoint: { type: 'string', multiple: true },
    scheme: { type: 'string', multiple: true },
    dir: { type: 'string' },
    alg: { type: 'string' },
  },
  async run(ctx, values) {
    let operator: string
    try {
      operator = parseOperatorId(required(values, 'operator'), { canonical: true })
    } catch (e) {
      if (e instanceof BaridError) throw new UsageError(`--operator: ${e.message}`)
      throw e
    }
    const country = required(values, 'country')
    if (!/^[A-Z]{2}$/.test(country))
      throw new UsageError('--country must be an ISO 3166-1 alpha-2 code in upper case, e.g. EG')
    const names = { ar: name(values, 'ar'), da: name(values, 'da'), en: name(values, 'en') }
    const endpoints = many(values, 'endpoint')
    if (endpoints.length === 0) throw new UsageError('at least one --endpoint is required')
    for (const e of endpoints) {
      try {
        parseEndpoint(e, 'ERR_INVALID_ARGUMENT')
      } catch (err) {
        throw new UsageError(
          `--endpoint ${e}: ${(err as Error).message} (e.g. https://barid.example/)`,
        )
      }
    }
    const schemes = many(values, 'scheme')
    for (const s of schemes)
      if (!/^[a-z]{2}:[a-z0-9]{1,15}$/.test(s))
        throw new UsageError(`--scheme ${s}: expected a national scheme such as dk:cpr`)
    const dir = resolvePath(ctx.cwd, optional(values, 'dir') ?? '.')
    const alg = parseAlgorithm(optional(values, 'alg'))

    const caKeys = await generateKeyPair(alg, { extractable: true })
    const nodeKeys = await generateKeyPair(alg, { extractable: true })
    await writeSecret(
      join(dir, OPERATOR_FILES.caKey),
      JSON.stringify(await exportPrivateJwk(caKeys)),
    )
    await writeSecret(
      join(dir, OPERATOR_FILES.nodeKey),
      JSON.stringify(await exportPrivateJwk(nodeKeys)),
    )
    await writePublic(
      join(dir, OPERATOR_FILES.nodePub),
      `${JSON.stringify(nodeKeys.publicJwk, null, 2)}\n`,
    )
    const csr = await createCertificateRequest({
      keyPair: caKeys,
      operatorId: operator,
      commonName: `${names.en} CA`.slice(0, 64),
      country,
    })
    await writePublic(join(dir, OPERATOR_FILES.csr), csr)
    const request: AdmissionRequest = {
      version: 1,
      operator,
      country,
      names,
      endpoints,
      schemes,
      csr,
    }
    await writePublic(join(dir, OPERATOR_FILES.request), `${JSON.stringify(request, null, 2)}\n`)
    await writePublic(
      join(dir, OPERATOR_FILES.config),
      `${JSON.stringify({ version: 1, operator, country, names, endpoints, schemes }, null, 2)}\n`,
    )
    if (ctx.json) {
      ctx.out(
        JSON.stringify({
          ok: true,
          operator,
          dir,
          caKid: caKeys.kidBase64Url,
          nodeKid: nodeKeys.kidBase64Url,
          request: join(dir, OPERATOR_FILES.request),
        }),
      )
      return
    }
    ctx.out(`Operator ${operator} prepared in ${dir}`)
    ctx.out(
      `  operator CA key  ${caKeys.kidBase64Url} (certificate signing request: ${OPERATOR_FILES.csr})`,
    )
    ctx.out(`  node key         ${nodeKeys.kidBase64Url}`)
    ctx.out(
      `Next: send ${OPERATOR_FILES.request} to the federation (barid federation admit --request FILE),`,
    )
    ctx.out(`then run barid operator certify-node --ca-cert <the CA certificate you receive>.`)
  },
}
