/**
 * @module commands/federation-init
 * `barid federation init`: governance key, federation root, and the first (empty) trust list.
 */
import { join } from 'node:path'
import { integer, iso, optional, required, type Command } from '../command.js'
import {
  createCertificate,
  derToPem,
  exportPrivateJwk,
  generateKeyPair,
  sha256,
  toHex,
  type SigningAlgorithm,
  createTrustList,
} from '../core.js'
import { UsageError } from '../errors.js'
import { FILES } from '../federation-state.js'
import { resolvePath, writePublic, writeSecret } from '../files.js'

export function parseAlgorithm(value: string | undefined): SigningAlgorithm {
  if (value === undefined || value === 'Ed25519') return 'Ed25519'
  if (value === 'ES256') return 'ES256'
  throw new UsageError('--alg must be Ed25519 or ES256')
}

export const federationInit: Command = {
  name: ['federation', 'init'],
  summary: 'Create the governance key, the federation root and the first trust list',
  help: `Usage: barid federation init --name NAME [--dir DIR] [options]

Creates a federation in DIR (default: the current directory): the governance signing key
that signs every trust list, the federation root CA that certifies operator CAs, and trust
list number 1 with no operators. Private keys are written with mode 0600 and never printed.
Refuses to overwrite an existing federation.

Options:
      --name NAME          Federation name, carried in every trust list (required).
      --dir DIR            Directory to create the federation in. Default: .
      --alg ALG            Ed25519 (default) or ES256, for both keys.
      --root-name CN       Common name of the root certificate. Default: "<NAME> Root".
      --root-days N        Root certificate lifetime in days (max 7305). Default: 7305.
      --list-days N        Days from issue to next-update of each trust list (max 31). Default: 7.

Writes: federation.json, governance.key.jwk (secret), governance.pub.jwk, root.key.jwk
(secret), root.crt.pem, trust-list.cose, lists/000001.cose.

Example:
  barid federation init --name barid-eg-dk --dir ./federation`,
  options: {
    name: { type: 'string' },
    dir: { type: 'string' },
    alg: { type: 'string' },
    'root-name': { type: 'string' },
    'root-days': { type: 'string' },
    'list-days': { type: 'string' },
  },
  async run(ctx, values) {
    const name = required(values, 'name')
    if (!/^[a-z0-9][a-z0-9.-]{0,63}$/.test(name))
      throw new UsageError('--name must be 1-64 characters of a-z, 0-9, "." and "-"')
    const dir = resolvePath(ctx.cwd, optional(values, 'dir') ?? '.')
    const alg = parseAlgorithm(optional(values, 'alg'))
    const rootDays = integer(values, 'root-days', 7305, 7305)
    const listDays = integer(values, 'list-days', 7, 31)
    const rootName = optional(values, 'root-name') ?? `${name} Root`.slice(0, 64)

    const governance = await generateKeyPair(alg, { extractable: true })
    const rootKeys = await generateKeyPair(alg, { extractable: true })
    // Secrets first: if the directory already holds a federation, nothing is overwritten.
    await writeSecret(
      join(dir, FILES.governanceKey),
      JSON.stringify(await exportPrivateJwk(governance)),
    )
    await writeSecret(join(dir, FILES.rootKey), JSON.stringify(await exportPrivateJwk(rootKeys)))
    await writePublic(
      join(dir, FILES.governancePub),
      `${JSON.stringify(governance.publicJwk, null, 2)}\n`,
    )
    const root = await createCertificate({
      role: 'federation-root',
      subjectName: { commonName: rootName },
      publicKey: rootKeys.publicKey,
      privateKey: rootKeys.privateKey,
      issuer: 'self',
      notBefore: new Date(ctx.now * 1000),
      notAfter: new Date((ctx.now + rootDays * 86_400) * 1000),
    })
    await writePublic(join(dir, FILES.rootCert), derToPem(root.der))
    const bytes = await createTrustList(
      {
        federation: name,
        sequence: 1,
        issued: ctx.now,
        nextUpdate: ctx.now + listDays * 86_400,
        roots: [root.der],
        operators: [],
      },
      governance,
    )
    await writePublic(join(dir, 'lists', '000001.cose'), bytes)
    await writePublic(join(dir, FILES.list), bytes)
    await writePublic(
      join(dir, FILES.config),
      `${JSON.stringify({ version: 1, name, listValidityDays: listDays }, null, 2)}\n`,
    )
    const fingerprint = toHex(await sha256(root.der))
    if (ctx.json) {
      ctx.out(
        JSON.stringify({
          ok: true,
          federation: name,
          dir,
          governanceKid: governance.kidBase64Url,
          rootSha256: fingerprint,
          sequence: 1,
          nextUpdate: iso(ctx.now + listDays * 86_400),
        }),
      )
      return
    }
    ctx.out(`Federation ${name} created in ${dir}`)
    ctx.out(
      `  governance key   ${governance.kidBase64Url} (give ${FILES.governancePub} to every node)`,
    )
    ctx.out(`  root certificate ${FILES.rootCert} (SHA-256 ${fingerprint})`)
    ctx.out(
      `  trust list       ${FILES.list}, sequence 1, next update ${iso(ctx.now + listDays * 86_400)}`,
    )
    ctx.out(`Secrets: ${FILES.governanceKey} and ${FILES.rootKey} (mode 0600). Keep them offline.`)
  },
}
