/**
 * @module paper/print-key
 * The operator's print key (spec 17.6): an X25519 encryption key that the directory hands out,
 * certified for each exempt resident's address, so that senders seal letters for those residents
 * to the operator's print channel. It is the only key by which an operator can open a letter;
 * it lives in `<dataDir>/keys/print.json` (0600), made on first start, and the print channel is
 * its only user.
 */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { exportPrivateJwk, generateKeyPair, importKeyPair, type KeyPair } from '../core.js'

/**
 * Loads the print key from `path`, creating it (0600) when missing.
 *
 * @example
 * ```ts
 * const printKey = await loadOrCreatePrintKey(join(config.dataDir, 'keys', 'print.json'))
 * printKey.kidBase64Url
 * ```
 */
export async function loadOrCreatePrintKey(path: string): Promise<KeyPair> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    await mkdir(dirname(path), { recursive: true, mode: 0o700 })
    const pair = await generateKeyPair('X25519', { extractable: true })
    const body = JSON.stringify(
      { use: 'print', createdAt: new Date().toISOString(), jwk: await exportPrivateJwk(pair) },
      null,
      2,
    )
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
    await writeFile(tmp, `${body}\n`, { mode: 0o600, flag: 'wx' })
    // Two nodes never share a data directory; a concurrent first start would keep one key.
    await rename(tmp, path)
    await chmod(path, 0o600)
    text = await readFile(path, 'utf8')
  }
  const { jwk } = JSON.parse(text) as { jwk: unknown }
  return importKeyPair(jwk, { algorithm: 'X25519' })
}
