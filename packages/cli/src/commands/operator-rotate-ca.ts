/**
 * @module commands/operator-rotate-ca
 * `barid operator rotate-ca`: the operator's side of an operator CA rotation (spec/21 section
 * 4), once governance has added the new CA to the operator's entry (`barid federation admit
 * --add-ca`). It keeps the current CA as a previous one (its revocation list goes on until
 * governance retires it), installs the new CA, starts the new CA's revocation list, and rotates
 * the node key under the new CA (the node refuses a directory whose node certificate another CA
 * issued). Layout: `operator-cas.ts`.
 *
 * Interrupted, it is run again with the same arguments: it finds the new CA installed and does
 * what is left.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { caRetirement, refuseRetireAfterCa } from '../ca-retirement.js'
import {
  integer,
  iso,
  optional,
  parseTime,
  required,
  type Command,
  type Values,
} from '../command.js'
import { bytesEqual, derToPem, toBase64Url } from '../core.js'
import { FileError, fileRefusal } from '../errors.js'
import { readCertificate, readKeyPair } from '../documents.js'
import { readOperatorConfig } from '../operator-dir.js'
import {
  exists,
  readText,
  replaceSecret,
  resolvePath,
  writePublic,
  writeSecret,
} from '../files.js'
import {
  CA_FILES,
  issueRevocationList,
  issuerIn,
  readCaKey,
  readOperatorCas,
  readRevocationList,
  type OperatorCa,
} from '../operator-cas.js'
import { parseAlgorithm } from './federation-init.js'
import { OPERATOR_FILES } from './operator-init.js'
import { operatorRotateNode } from './operator-rotate-node.js'

/** Days until next-update of a list this command issues (as `barid operator revoke`). */
const LIST_DAYS = 7

/** Writes `data` to `path` unless it already holds exactly that (the command run again). */
async function keep(path: string, data: string, secret: boolean): Promise<void> {
  if (await exists(path)) {
    if ((await readText(path)) === data) return
    throw new FileError(`cannot write ${path}: it already exists (refusing to overwrite)`, path)
  }
  if (secret) await writeSecret(path, data)
  else await writePublic(path, data)
}

/** What `barid operator rotate-node --json` answered. */
interface NodeRotation {
  kid: string
  serial: string
  notAfter: string
  retired: { kid: string; serial: string; retiredAt: string }
}

export const operatorRotateCa: Command = {
  name: ['operator', 'rotate-ca'],
  summary: 'Install a new operator CA from the federation, start its revocation list, and rotate the node key under it',
  help: `Usage: barid operator rotate-ca --ca-cert FILE --ca-key FILE [--dir DIR] [--retire-at TIME] [options]

The operator's side of an operator CA rotation (spec/21 section 4). Before it: make the new CA
key and its admission request in a directory of their own (barid operator init --dir NEW ...),
and have governance add the CA to your entry (barid federation admit --add-ca --request
NEW/admission-request.json), which gives the new CA certificate. Then, in the operator
directory the node uses:

  1. checks that --ca-cert is an operator CA certificate of this operator, valid now, for the
     key in --ca-key, and another key than the current CA's;
  2. keeps the current CA as previous-cas/<kid>.crt.pem, with its key as
     previous-cas/<kid>.key.jwk (0600), and its revocation list as revocations/<kid>.cose: the
     node serves and reissues that list until governance retires the CA, and serves its last
     version (and puts it into evidence bundles) after: keep that file and the certificate;
  3. starts the new CA's revocation list (revocations/<new kid>.cose) and installs the new CA
     (ca.key.jwk, ca.crt.pem replaced);
  4. rotates the node key under the new CA, as barid operator rotate-node does (--retire-at,
     --days, --name, --alg, --trust-list and --governance-key as there).

A running node picks it up like a node key rotation (SIGHUP, POST /v1/admin/node-keys/reload,
or its periodic check) and moves every mailbox key certificate to the new CA. Once its renewal
pass reports otherCa: 0 and the previous node key has retired, ask governance to retire the
previous CA (barid federation retire-ca); from then on previous-cas/<kid>.key.jwk may be
deleted. If the command stops half-way, run it again with the same arguments.

Options:
      --ca-cert FILE       The new operator CA certificate from the federation (PEM or DER).
      --ca-key FILE        The new CA's private key (ca.key.jwk of barid operator init --dir NEW).
      --retire-at TIME     When the previous node key stops signing. Default: now + 1 hour 5
                           minutes (see barid operator rotate-node --help). Refused, before
                           anything is written, when later than the --trust-list retires the
                           current CA (ERR_OPERATOR_CA_RETIRED); the default is brought forward.
      --trust-list FILE    The federation's current trust list (after a CA compromise governance
                           retires the CA first: give it then).
      --governance-key JWK Its governance public key (governance.pub.jwk). Repeatable.
      --days N             New node certificate lifetime in days (max 731). Default: 365.
      --name CN            Common name of the new node certificate. Default: node.<operator>.
      --alg ALG            Ed25519 or ES256 for the new node key. Default: the previous key's.
      --dir DIR            Operator directory. Default: .

Writes: previous-cas/<kid>.crt.pem and previous-cas/<kid>.key.jwk (secret), revocations/<kid>.cose
for both CAs, ca.key.jwk (secret, replaced) and ca.crt.pem, and what rotate-node writes.

Example:
  barid operator init --dir op-next --operator post.eg ...        # the new CA key and its CSR
  barid federation admit --dir fed --add-ca --request op-next/admission-request.json
  barid operator rotate-ca --dir op --ca-cert fed/operators/post.eg/ca-<serial>.crt.pem \\
    --ca-key op-next/ca.key.jwk`,
  // Its own two, and rotate-node's, which it passes on to the node key rotation.
  options: {
    'ca-cert': { type: 'string' },
    'ca-key': { type: 'string' },
    ...operatorRotateNode.options,
  },
  async run(ctx, values) {
    const dir = resolvePath(ctx.cwd, optional(values, 'dir') ?? '.')
    const certFile = resolvePath(ctx.cwd, required(values, 'ca-cert'))
    const keyFile = resolvePath(ctx.cwd, required(values, 'ca-key'))
    // The node rotation's options are checked before anything is written.
    integer(values, 'days', 365, 731)
    const alg = optional(values, 'alg')
    if (alg !== undefined) parseAlgorithm(alg)
    const retireAt = optional(values, 'retire-at')
    if (retireAt !== undefined) parseTime(retireAt, 'retire-at')

    const { operator } = await readOperatorConfig(dir)
    const next = await readCertificate(certFile)
    const nextKeyText = await readText(keyFile)
    const nextKeys = await readKeyPair(keyFile)
    if (next.role !== 'operator-ca' || next.operatorId !== operator || next.kid === undefined)
      throw fileRefusal(certFile, `is not an operator CA certificate of ${operator}`)
    if (!bytesEqual(next.kid, nextKeys.kid))
      throw fileRefusal(certFile, `certifies another key than ${keyFile}`)
    const from = Math.floor(next.notBefore.getTime() / 1000)
    const until = Math.floor(next.notAfter.getTime() / 1000)
    if (ctx.now < from || ctx.now >= until)
      throw fileRefusal(
        certFile,
        `is not valid now (valid from ${iso(from)} to ${iso(until)})`,
        ctx.now < from ? 'ERR_CERT_NOT_YET_VALID' : 'ERR_CERT_EXPIRED',
      )
    const nextKid = toBase64Url(next.kid)

    const cas = await readOperatorCas(dir, operator)
    const current = cas[0]!
    // Run again after an interruption: the new CA is already the current one.
    const resumed = current.kid === nextKid
    if (resumed && !bytesEqual(current.certificate.der, next.der))
      throw fileRefusal(
        certFile,
        'certifies the key of the current CA: a CA rotation needs a new CA key (barid operator init --dir NEW ...)',
      )
    if (cas.some((c) => !c.current && c.kid === nextKid))
      throw fileRefusal(certFile, `is a previous CA of ${operator} (${CA_FILES.previousDir}/)`)
    const node = await readCertificate(join(dir, OPERATOR_FILES.nodeCert))
    const nodeUnderNext =
      node.authorityKeyId !== undefined &&
      next.subjectKeyId !== undefined &&
      bytesEqual(node.authorityKeyId, next.subjectKeyId)
    if (resumed && nodeUnderNext)
      throw fileRefusal(
        join(dir, OPERATOR_FILES.nodeCert),
        `is issued by CA ${nextKid} already: the rotation to it is complete`,
      )
    if (!(await exists(join(dir, OPERATOR_FILES.nodeKey))) && retireAt === undefined)
      throw new FileError(
        `cannot read ${join(dir, OPERATOR_FILES.nodeKey)}: it does not exist (for a lost key, give --retire-at, the time of the loss: spec/23)`,
        join(dir, OPERATOR_FILES.nodeKey),
      )
    // Refused before anything is written, not by the node key rotation once the new CA is in.
    const nodeCa = issuerIn(cas, node)
    const caRetired = await caRetirement(ctx.cwd, values, ctx.now, operator, nodeCa?.certificate)
    if (retireAt !== undefined && nodeCa !== undefined)
      refuseRetireAfterCa(
        caRetired,
        parseTime(retireAt, 'retire-at'),
        nodeCa.certificate,
        join(dir, OPERATOR_FILES.nodeCert),
      )

    const lists = { nextUpdate: ctx.now + LIST_DAYS * 86_400, now: ctx.now, add: [] }
    // The CA being rotated away: after an interruption, the previous CA that issued the node
    // certificate.
    const previous = resumed ? issuerIn(cas, node) : current
    if (!resumed) {
      const previousKeys = await readCaKey(dir, current)
      // The current CA's list in a file of its own, before a second CA comes in.
      const held = await readRevocationList(dir, operator, current)
      if (held === undefined)
        await issueRevocationList(dir, operator, current, previousKeys, lists)
      else if (held.file === CA_FILES.legacyRevocations) {
        await writePublic(join(dir, CA_FILES.revocations(current.kid)), held.list.bytes)
        await rm(join(dir, CA_FILES.legacyRevocations), { force: true })
      }
      await keep(
        join(dir, CA_FILES.previousCert(current.kid)),
        derToPem(current.certificate.der),
        false,
      )
      await keep(
        join(dir, CA_FILES.previousKey(current.kid)),
        await readText(join(dir, CA_FILES.caKey)),
        true,
      )
    }
    const installed: OperatorCa = {
      kid: nextKid,
      certificate: next,
      keyFile: CA_FILES.caKey,
      current: true,
    }
    if ((await readRevocationList(dir, operator, installed)) === undefined)
      await issueRevocationList(dir, operator, installed, nextKeys, lists)
    if (!resumed) {
      // The key first: the node reads the directory again when the certificate changes.
      await replaceSecret(join(dir, CA_FILES.caKey), nextKeyText)
      await writePublic(join(dir, CA_FILES.caCert), derToPem(next.der), { replace: true })
    }

    let rotation: NodeRotation
    const printed: string[] = []
    try {
      const nodeValues: Values = { dir }
      const passed = ['retire-at', 'days', 'name', 'alg', 'trust-list', 'governance-key'] as const
      for (const k of passed)
        if (values[k] !== undefined) nodeValues[k] = values[k]
      await operatorRotateNode.run(
        { ...ctx, json: true, out: (line) => void printed.push(line) },
        nodeValues,
        [],
      )
      rotation = JSON.parse(printed.at(-1) ?? '{}') as NodeRotation
    } catch (e) {
      ctx.err(
        `The new CA ${nextKid} is installed in ${dir}, but its node key is not rotated yet (the node refuses the directory meanwhile): fix the cause and run barid operator rotate-ca again with the same arguments.`,
      )
      throw e
    }

    const result = {
      operator,
      ca: nextKid,
      serial: next.serialNumber,
      notAfter: iso(until),
      revocations: join(dir, CA_FILES.revocations(nextKid)),
      ...(previous === undefined
        ? {}
        : {
            previous: {
              ca: previous.kid,
              serial: previous.certificate.serialNumber,
              revocations: join(dir, CA_FILES.revocations(previous.kid)),
            },
          }),
      node: rotation,
    }
    if (ctx.json) {
      ctx.out(JSON.stringify({ ok: true, ...result }))
      return
    }
    ctx.out(`Operator CA of ${operator} rotated in ${dir}`)
    ctx.out(`  new CA ${nextKid}, serial ${result.serial}, valid until ${result.notAfter}`)
    ctx.out(`  its revocation list ${CA_FILES.revocations(nextKid)}`)
    if (previous !== undefined)
      ctx.out(
        `  previous CA ${previous.kid} (serial ${previous.certificate.serialNumber}) kept in ${CA_FILES.previousDir}/, its list in ${CA_FILES.revocations(previous.kid)}`,
      )
    ctx.out(
      `  node key ${rotation.kid} certified under the new CA; the previous one signs until ${rotation.retired.retiredAt}`,
    )
    ctx.out(
      'Next: the node picks the new CA up (SIGHUP, POST /v1/admin/node-keys/reload, or its periodic check)',
    )
    ctx.out(
      '  and moves every mailbox key certificate to it. Once its renewal pass reports otherCa: 0 and the',
    )
    ctx.out(
      `  previous node key has retired, ask governance for barid federation retire-ca --operator ${operator} --serial ${previous?.certificate.serialNumber ?? '<previous CA serial>'}.`,
    )
  },
}
