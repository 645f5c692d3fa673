/**
 * @module documents
 * Reading keys and certificates from files. What a file holds that does not parse is a refusal
 * (exit code 1) with the parser's Barid code and the file's path; a key's content is never
 * part of the message.
 */
import { importKeyPair, parseCertificate, type KeyPair, type ParsedCertificate } from './core.js'
import { inFile } from './errors.js'
import { readCertificateFile, readJson } from './files.js'

/**
 * Reads a private JWK file into a signing key pair.
 *
 * @example
 * ```ts
 * const caKeys = await readKeyPair('/etc/barid/operator/ca.key.jwk')
 * ```
 */
export async function readKeyPair(path: string): Promise<KeyPair> {
  return inFile(path, async () => importKeyPair(await readJson(path), { use: 'sign' }))
}

/**
 * Reads and parses a certificate file (PEM or DER).
 *
 * @example
 * ```ts
 * const node = await readCertificate('/etc/barid/operator/node.crt.pem')
 * ```
 */
export async function readCertificate(path: string): Promise<ParsedCertificate> {
  return inFile(path, async () => parseCertificate(await readCertificateFile(path)))
}
