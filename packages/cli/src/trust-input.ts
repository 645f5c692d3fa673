/**
 * @module trust-input
 * Loading a trust list given on the command line: the governance keys (JWK files), an optional
 * previously held list for the rollback check, and the list itself, into a verified list and a
 * trust store for offline checks.
 */
import {
  importPublicJwk,
  type PublicKeyHandle,
  verifyTrustList,
  type TrustList,
} from './core.js'
import { inFile, UsageError } from './errors.js'
import { readBytes, readJson, resolvePath } from './files.js'

export async function readGovernanceKeys(
  cwd: string,
  files: readonly string[],
): Promise<PublicKeyHandle[]> {
  if (files.length === 0)
    throw new UsageError(
      "at least one --governance-key FILE (the federation's governance.pub.jwk) is required",
    )
  return Promise.all(
    files.map(async (f) => {
      const path = resolvePath(cwd, f)
      return inFile(path, async () => importPublicJwk(await readJson(path), { use: 'sign' }))
    }),
  )
}

/** Verifies `file` (and `previous`, if given, first) and returns the list. */
export async function loadTrustList(
  cwd: string,
  file: string,
  keys: readonly PublicKeyHandle[],
  now: number,
  previous?: string,
): Promise<TrustList> {
  let current: TrustList | undefined
  if (previous !== undefined) {
    const path = resolvePath(cwd, previous)
    const bytes = await readBytes(path)
    current = await inFile(path, () => verifyTrustList(bytes, { governanceKeys: keys, now }))
  }
  const path = resolvePath(cwd, file)
  const bytes = await readBytes(path)
  return inFile(path, () =>
    verifyTrustList(
      bytes,
      current === undefined
        ? { governanceKeys: keys, now }
        : { governanceKeys: keys, current, now },
    ),
  )
}
