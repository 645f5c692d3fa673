/**
 * @module commands/operator-certify-node
 * `barid operator certify-node`: installs the operator CA certificate received from the
 * federation and signs the node certificate with the operator CA key.
 */
import { join } from 'node:path'
import { integer, iso, optional, required, type Command } from '../command.js'
import { bytesEqual, createCertificate, derToPem } from '../core.js'
import { readCertificate, readKeyPair } from '../documents.js'
import { FileError, fileRefusal } from '../errors.js'
import { exists, resolvePath, writePublic } from '../files.js'
import { checkCaValidNow, checkOperatorCa, readOperatorConfig } from '../operator-dir.js'
import { OPERATOR_FILES } from './operator-init.js'

export const operatorCertifyNode: Command = {
  name: ['operator', 'certify-node'],
  summary: 'Install the operator CA certificate and sign the node certificate',
  help: `Usage: barid operator certify-node --ca-cert FILE [--dir DIR] [options]

Checks that FILE is the operator CA certificate for this operator's CA key (as issued by the
federation at admission), installs it as ca.crt.pem, and signs a node certificate for
node.key.jwk with the operator CA key (role node: request signing and evidence signing).

Options:
      --ca-cert FILE       The operator CA certificate from the federation (PEM or DER).
      --dir DIR            Operator directory. Default: .
      --days N             Node certificate lifetime in days (max 731). Default: 365.
      --name CN            Common name of the node certificate. Default: node.<operator>.

Writes: ca.crt.pem (if not present), node.crt.pem. Refuses (exit code 1, nothing written) a
FILE that is not an operator CA certificate of this operator for its ca.key.jwk, one that is
expired (ERR_CERT_EXPIRED) or not yet valid (ERR_CERT_NOT_YET_VALID) now, and one that is not
the ca.crt.pem already installed; to renew node.crt.pem, use barid operator rotate-node.`,
  options: {
    'ca-cert': { type: 'string' },
    dir: { type: 'string' },
    days: { type: 'string' },
    name: { type: 'string' },
  },
  async run(ctx, values) {
    const dir = resolvePath(ctx.cwd, optional(values, 'dir') ?? '.')
    const caFile = resolvePath(ctx.cwd, required(values, 'ca-cert'))
    const days = integer(values, 'days', 365, 731)
    const config = await readOperatorConfig(dir)
    const ca = await readCertificate(caFile)
    const caKeys = await readKeyPair(join(dir, OPERATOR_FILES.caKey))
    checkOperatorCa(ca, caFile, caKeys, config.operator)
    checkCaValidNow(ca, caFile, ctx.now)
    // The node accepts a node certificate only under the CA certificate installed beside it.
    const installedPath = join(dir, OPERATOR_FILES.caCert)
    const installed = (await exists(installedPath))
      ? await readCertificate(installedPath)
      : undefined
    if (installed !== undefined && !bytesEqual(installed.der, ca.der))
      throw fileRefusal(caFile, `is not the CA certificate installed as ${installedPath}`)
    const nodeKeys = await readKeyPair(join(dir, OPERATOR_FILES.nodeKey))
    const nodePath = join(dir, OPERATOR_FILES.nodeCert)
    // Checked before ca.crt.pem is written, so that a refused run changes nothing.
    if (await exists(nodePath))
      throw new FileError(
        `cannot write ${nodePath}: it already exists (barid operator rotate-node renews it)`,
        nodePath,
      )
    if (installed === undefined) await writePublic(installedPath, derToPem(ca.der))
    const notAfter = Math.min(ctx.now + days * 86_400, Math.floor(ca.notAfter.getTime() / 1000))
    const node = await createCertificate({
      role: 'node',
      subjectName: {
        commonName: optional(values, 'name') ?? `node.${config.operator}`.slice(0, 64),
      },
      publicKey: nodeKeys.publicKey,
      issuer: { certificate: ca, privateKey: caKeys.privateKey },
      notBefore: new Date(ctx.now * 1000),
      notAfter: new Date(notAfter * 1000),
    })
    await writePublic(nodePath, derToPem(node.der))
    if (ctx.json) {
      ctx.out(
        JSON.stringify({
          ok: true,
          operator: config.operator,
          serial: node.serialNumber,
          notAfter: iso(notAfter),
          file: join(dir, OPERATOR_FILES.nodeCert),
        }),
      )
      return
    }
    ctx.out(`Node certificate for ${config.operator} written to ${OPERATOR_FILES.nodeCert}`)
    ctx.out(`  serial ${node.serialNumber}, valid until ${iso(notAfter)}`)
  },
}
