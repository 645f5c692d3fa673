/**
 * @module keys/operator-credentials
 * The operator's key material as the node uses it, read from the operator directory that
 * `barid operator init` and `barid operator certify-node` leave (spec 21.2): the node key and its
 * X.509 node certificate (request and evidence signing, spec 08.4), and the operator CA
 * certificate and key, with which the node certifies mailbox keys and signs its revocation list.
 * Every file is checked against the others before the node starts: a certificate for another
 * key, another operator or from another CA is refused with a message that says which file.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  BaridError,
  bytesEqual,
  importKeyPair,
  parseCertificate,
  type KeyPair,
  type ParsedCertificate,
} from '../core.js'
import { OPERATOR_FILES } from '../trust/local-federation.js'

/** The node's view of its operator's keys. */
export interface OperatorCredentials {
  readonly operator: string
  readonly dir: string
  /** Signs federation requests, the key-discovery document and evidence records. */
  readonly nodeKey: KeyPair
  readonly nodeCertificate: ParsedCertificate
  /** The operator CA: certifies mailbox keys, signs the revocation list. */
  readonly ca: { readonly certificate: ParsedCertificate; readonly keyPair: KeyPair }
}

function problem(file: string, what: string): BaridError {
  return new BaridError('ERR_INVALID_ARGUMENT', `operator directory: ${file} ${what}`, {
    details: { file },
  })
}

async function read(dir: string, file: string): Promise<string> {
  try {
    return await readFile(join(dir, file), 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw problem(
        file,
        'is missing (prepare the directory with barid operator init and barid operator certify-node)',
      )
    throw e
  }
}

async function keyPair(dir: string, file: string): Promise<KeyPair> {
  try {
    return await importKeyPair(JSON.parse(await read(dir, file)) as unknown, { use: 'sign' })
  } catch (e) {
    if (e instanceof BaridError && e.details?.file === file) throw e
    // The key file's content is never echoed.
    throw problem(file, 'is not a private signing key (JWK)')
  }
}

/**
 * Reads and cross-checks the operator directory for `operator`.
 *
 * @example
 * ```ts
 * const creds = await loadOperatorCredentials('/etc/barid/operator', { operator: 'post.eg' })
 * creds.nodeCertificate.notAfter // renew before this
 * ```
 */
export async function loadOperatorCredentials(
  dir: string,
  o: { operator: string },
): Promise<OperatorCredentials> {
  const caKeys = await keyPair(dir, OPERATOR_FILES.caKey)
  const ca = await parseCertificate(await read(dir, OPERATOR_FILES.caCert))
  if (ca.role !== 'operator-ca' || ca.operatorId !== o.operator)
    throw problem(OPERATOR_FILES.caCert, `is not an operator CA certificate of ${o.operator}`)
  if (ca.kid === undefined || !bytesEqual(ca.kid, caKeys.kid))
    throw problem(OPERATOR_FILES.caCert, `certifies another key than ${OPERATOR_FILES.caKey}`)
  const nodeKey = await keyPair(dir, OPERATOR_FILES.nodeKey)
  const node = await parseCertificate(await read(dir, OPERATOR_FILES.nodeCert))
  if (node.role !== 'node' || node.operatorId !== o.operator)
    throw problem(OPERATOR_FILES.nodeCert, `is not a node certificate of ${o.operator}`)
  if (node.kid === undefined || !bytesEqual(node.kid, nodeKey.kid))
    throw problem(OPERATOR_FILES.nodeCert, `certifies another key than ${OPERATOR_FILES.nodeKey}`)
  if (
    node.authorityKeyId === undefined ||
    ca.subjectKeyId === undefined ||
    !bytesEqual(node.authorityKeyId, ca.subjectKeyId)
  )
    throw problem(OPERATOR_FILES.nodeCert, `is not issued by ${OPERATOR_FILES.caCert}`)
  return {
    operator: o.operator,
    dir,
    nodeKey,
    nodeCertificate: node,
    ca: { certificate: ca, keyPair: caKeys },
  }
}
