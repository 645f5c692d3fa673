/**
 * @module common
 * What both examples need around `@barid/client`: keys kept in a file between runs, the trust
 * (the federation trust list, anchored in its governance key), and a readable failure. None of
 * it is part of the protocol; an integrator would use their own key storage (an HSM, the
 * platform keystore).
 */
import { chmod, readFile, writeFile } from 'node:fs/promises'
import {
  exportPartyKeys,
  generatePartyKeys,
  importPartyKeys,
  trustFromNode,
  type KeyTrust,
  type PartyKeys,
} from '@barid/client'
import { isBaridError } from '@barid/core'

export const say = (s = ''): void => void process.stdout.write(`${s}\n`)

/**
 * Loads a party's keys from `file`, or generates them (and stores them with mode 0600 when a
 * file is given). Without a file the keys live only as long as the process.
 *
 * @example
 * ```ts
 * const keys = await loadOrCreateKeys('/tmp/lars-phone.json')
 * ```
 */
export async function loadOrCreateKeys(
  file: string | undefined,
): Promise<{ keys: PartyKeys; created: boolean }> {
  if (file) {
    try {
      return {
        keys: await importPartyKeys(JSON.parse(await readFile(file, 'utf8'))),
        created: false,
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
  }
  const keys = await generatePartyKeys({ extractable: file !== undefined })
  if (file) {
    await writeFile(file, JSON.stringify(await exportPartyKeys(keys), null, 2) + '\n', {
      mode: 0o600,
      flag: 'wx',
    })
    await chmod(file, 0o600)
  }
  return { keys, created: true }
}

/**
 * The client's trust: the federation trust list its node serves, verified with the
 * federation's governance key when a file with it is given (the strong way: the key is
 * published by the federation and configured out of band), else with the keys the node's
 * self-description names (trust in the channel to one's own node).
 *
 * @example
 * ```ts
 * const trust = await loadTrust('http://127.0.0.1:7401', '/tmp/barid-demo-x/federation/governance.pub.jwk')
 * ```
 */
export async function loadTrust(
  node: string,
  governanceKeyFile: string | undefined,
): Promise<KeyTrust> {
  if (!governanceKeyFile) return trustFromNode(node)
  const key = JSON.parse(await readFile(governanceKeyFile, 'utf8')) as Record<string, unknown>
  return trustFromNode(node, { governanceKeys: [key] })
}

/**
 * Runs `main`, printing a failure as its error code and exiting non-zero.
 *
 * @example
 * ```ts
 * await run(main)
 * ```
 */
export async function run(main: () => Promise<void>): Promise<void> {
  try {
    await main()
  } catch (e) {
    if (isBaridError(e))
      say(`FAILED: ${e.code}: ${e.message}${e.details ? ` ${JSON.stringify(e.details)}` : ''}`)
    else say(`FAILED: ${e instanceof Error ? e.message : String(e)}`)
    process.exit(1)
  }
}
