/**
 * @module trust/peer-revocations
 * Keeps the revocation lists fetched from peers in the data directory, and installs them again
 * at start. Without this a restarted node holds no peer list: its first check of each peer's
 * certificates must fetch, and if that peer is down too (both restarted after a crash), every
 * delivery would wait out the fetch cooldown (spec 21.6: "a verifier keeps the newest list it
 * has"). A kept list is re-verified on load, so a file changed on disk is simply not used.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { toHex, type RevocationCache, type RevocationList, type TrustStore } from '@barid/core'
import type { Logger } from '../ops/logger.js'
import { writeAtomic } from './held-list.js'

const SAFE_NAME = /^[a-z0-9.-]{1,253}$/

/** The folder the lists are kept in. */
export function peerRevocationDir(dataDir: string): string {
  return join(dataDir, 'trust', 'revocations')
}

/** Writes a fetched list as `<operator>.<ca kid hex>.cose`, atomically; the newer sequence wins by load order. */
export async function keepPeerRevocationList(
  dir: string,
  bytes: Uint8Array,
  list: RevocationList,
  operator: string,
): Promise<void> {
  if (!SAFE_NAME.test(operator)) return
  await mkdir(dir, { recursive: true })
  await writeAtomic(join(dir, `${operator}.${toHex(list.caKid)}.cose`), bytes)
}

/** Installs every kept list that still verifies against the operator's CAs in the trust list. */
export async function loadPeerRevocationLists(
  dir: string,
  revocation: RevocationCache,
  store: TrustStore,
  log: Logger,
): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[])
  let installed = 0
  for (const name of names) {
    const m = /^(.+)\.[0-9a-f]{64}\.cose$/.exec(name)
    if (m === null || !SAFE_NAME.test(m[1]!)) continue
    const operator = m[1]!
    try {
      const bytes = new Uint8Array(await readFile(join(dir, name)))
      await revocation.install(bytes, { operator, cas: store.casOf(operator) })
      installed++
    } catch (e) {
      log.warn('a kept revocation list no longer verifies; ignoring it', {
        operator,
        code: (e as { code?: string }).code ?? 'unknown',
      })
    }
  }
  return installed
}
