/**
 * What `agency-send.ts` says when it is run slightly wrong, as a newcomer following the README
 * does: a node that is not running, an admin token path not starting with `./`, a governance key
 * file that is not there. None of these needs a node: each fails before one would answer.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { freePort } from './local-federation.js'

const EXAMPLES = fileURLToPath(new URL('../', import.meta.url))

function agencySend(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'agency-send.ts', ...args],
      { cwd: EXAMPLES, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
    )
  })
}

describe('agency-send.ts run slightly wrong', () => {
  it('names the node it could not reach when registering the agency, not fetch failed', async () => {
    const node = `http://127.0.0.1:${await freePort()}`
    const r = await agencySend(['--node', node, '--admin-token', 'CbeWa3jDF5GF5n5K2uwukkTuT5'])
    expect(r).toEqual({
      code: 1,
      output: `FAILED: ERR_UNAVAILABLE: the node ${node} could not be reached {"reason":"network"}\n`,
    })
  }, 40_000)

  it('reads an admin token path relative to the current folder, not only one starting with a dot', async () => {
    const node = `http://127.0.0.1:${await freePort()}`
    const r = await agencySend(['--node', node, '--admin-token', 'no-such-data/keys/admin-token'])
    expect(r).toEqual({
      code: 1,
      output: "FAILED: ENOENT: no such file or directory, open 'no-such-data/keys/admin-token'\n",
    })
  }, 40_000)

  it('refuses a governance key file that is not there before registering anything', async () => {
    const node = `http://127.0.0.1:${await freePort()}`
    const r = await agencySend([
      ...['--node', node, '--admin-token', 'CbeWa3jDF5GF5n5K2uwukkTuT5'],
      ...['--governance-key', '/federation/governance.pub.jwk'],
    ])
    expect(r).toEqual({
      code: 1,
      output: "FAILED: ENOENT: no such file or directory, open '/federation/governance.pub.jwk'\n",
    })
  }, 40_000)
})
