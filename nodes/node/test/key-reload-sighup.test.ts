/**
 * SIGHUP reloads the node keys (spec 15.6, 21.4): a real node runs as a child process, started
 * by its profile's `start.sh` as an operator starts it, its operator rotates its key on disk with
 * `barid operator rotate-node`, and after `kill -HUP` to the PID the script handed back the
 * node's key-discovery document lists the new key and is signed by it. The periodic check of the
 * operator directory is set to an hour, so only the signal can have made the node notice.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { loadProfile } from '../src/config/profile.js'
import { barid } from '../src/trust/barid-cli.js'
import { eventually, federate, freePort, publishedKeys, trustFrom } from './harness.js'
import { startScript, type StartedScript } from './node-process.js'

const NODE_DIR = fileURLToPath(new URL('..', import.meta.url))

let dir: string | undefined
let node: StartedScript | undefined

afterAll(async () => {
  node?.killGroup()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('SIGHUP', () => {
  it('makes a running node publish the key its operator rotated on disk', async () => {
    dir = await mkdtemp(join(tmpdir(), 'barid-sighup-'))
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const dataDir = join(dir, 'egypt-post')
    const operatorDir = join(dataDir, 'operator')
    const fed = await federate(dir, [
      { profile: await loadProfile(join(NODE_DIR, '..', 'egypt-post')), url, dataDir },
    ])
    const config = {
      profile: join(NODE_DIR, '..', 'egypt-post'),
      dataDir,
      port,
      publicUrl: url,
      // An hour between checks of the operator directory: within this test, only SIGHUP reloads.
      trust: { ...fed.trust, reloadIntervalMs: 3_600_000 },
      logLevel: 'silent',
      devIdentityProvider: true,
    }
    const file = join(dir, 'node.json')
    await writeFile(file, JSON.stringify(config))
    const store = await trustFrom(fed.trustListFile, fed.governanceKeyFile)
    /** The node's discovery document as served: its keys (newest first) and its signer. */
    const published = () => publishedKeys(url, 'post.eg', store)

    node = startScript('egypt-post', {}, ['--config', file])
    const { proc, exited } = node
    await eventually(
      async () => expect((await fetch(`${url}/readyz`)).status).toBe(200),
      30_000,
      50,
    )
    const before = await published()
    expect(before.keys).toHaveLength(1)
    const oldKid = before.keys[0]!

    // The operator rotates, retiring the old key at once (spec 21.4: a time in the past).
    const rotated = await barid([
      'operator',
      'rotate-node',
      '--dir',
      operatorDir,
      '--retire-at',
      String(Math.floor(Date.now() / 1000)),
    ])
    const newKid = rotated.kid as string
    expect(newKid).not.toBe(oldKid)
    // Nothing told the node yet: it still publishes the old key alone.
    expect(await published()).toEqual(before)

    proc.kill('SIGHUP')
    const after = await eventually(
      async () => {
        const p = await published()
        expect(p.keys).toEqual([newKid, oldKid])
        return p
      },
      3000,
      50,
    )
    expect(after.signer).toBe(newKid)
    // The node kept running: SIGHUP reloads, it does not stop the process.
    expect(proc.exitCode).toBeNull()
    expect((await fetch(`${url}/readyz`)).status).toBe(200)

    proc.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 60_000)
})
