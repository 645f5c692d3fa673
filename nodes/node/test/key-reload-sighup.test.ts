/**
 * SIGHUP reloads the node keys (spec 15.6, 21.4): a real node runs as a child process, started
 * by its profile's `start.sh` as an operator starts it, its operator changes its key on disk
 * (rotates it with `barid operator rotate-node`, or certifies the same key again with `barid
 * operator certify-node`), and after `kill -HUP` to the PID the script handed back the node's
 * key-discovery document lists the new key or certificate and is signed by it. The periodic
 * check of the operator directory is set to an hour, so only the signal can have made the node
 * notice.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pemToDer, verifyDiscoveryDocument } from '@barid/core'
import { afterEach, describe, expect, it } from 'vitest'
import { loadProfile } from '../src/config/profile.js'
import { toBase64Url } from '../src/core.js'
import { barid } from '../src/trust/barid-cli.js'
import { OPERATOR_FILES } from '../src/trust/local-federation.js'
import { eventually, federate, freePort, publishedKeys, trustFrom } from './harness.js'
import { startScript, type StartedScript } from './node-process.js'

const NODE_DIR = fileURLToPath(new URL('..', import.meta.url))

let dir: string | undefined
let node: StartedScript | undefined

afterEach(async () => {
  node?.killGroup()
  node = undefined
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

/** Egypt Post started by its `start.sh`, a member of a federation of its own, ready. */
async function startEgyptPost() {
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
  node = startScript('egypt-post', {}, ['--config', file])
  await eventually(
    async () => expect((await fetch(`${url}/readyz`)).status).toBe(200),
    30_000,
    50,
  )
  return { url, operatorDir, store, node }
}

/** How many times `needle` occurs in `bytes`. */
function occurrences(bytes: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .split(Buffer.from(needle).toString('latin1')).length - 1
}

describe('SIGHUP', () => {
  it('makes a running node publish the key its operator rotated on disk', async () => {
    const { url, operatorDir, store, node } = await startEgyptPost()
    const { proc, exited } = node
    /** The node's discovery document as served: its keys (newest first) and its signer. */
    const published = () => publishedKeys(url, 'post.eg', store)
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

  it('makes a running node publish the new certificate of a node key certified again', async () => {
    const { url, operatorDir, store, node } = await startEgyptPost()
    const { proc, exited } = node
    /** The document as served, verified, with its bytes. */
    const served = async () => {
      const res = await fetch(`${url}/.well-known/barid-node`)
      expect(res.status).toBe(200)
      const bytes = new Uint8Array(await res.arrayBuffer())
      const now = Math.floor(Date.now() / 1000)
      const doc = await verifyDiscoveryDocument(bytes, { operator: 'post.eg', trust: store, now })
      return { doc, bytes }
    }
    const certFile = join(operatorDir, OPERATOR_FILES.nodeCert)
    const before = await served()
    const oldDer = pemToDer(await readFile(certFile, 'utf8'))
    expect(before.doc.keys).toHaveLength(1)

    // The operator certifies the same key again, for a shorter time (as when the first
    // certificate nears its end, or under a new CA): same kid, another certificate.
    await rm(certFile)
    await barid([
      ...['operator', 'certify-node', '--dir', operatorDir],
      ...['--ca-cert', join(operatorDir, OPERATOR_FILES.caCert), '--days', '200'],
    ])
    const newDer = pemToDer(await readFile(certFile, 'utf8'))
    expect(Buffer.from(newDer).equals(Buffer.from(oldDer))).toBe(false)

    proc.kill('SIGHUP')
    const after = await eventually(
      async () => {
        const s = await served()
        expect(toBase64Url(s.doc.keys[0]!.certificate.der)).toBe(toBase64Url(newDer))
        return s
      },
      3000,
      50,
    )
    // One key, the same one, now with its new certificate; the document presents no other (the
    // signer's certificate in its header is the new one too).
    expect(after.doc.keys).toHaveLength(1)
    expect(toBase64Url(after.doc.signerKid)).toBe(toBase64Url(before.doc.signerKid))
    expect(toBase64Url(after.doc.keys[0]!.kid)).toBe(toBase64Url(before.doc.keys[0]!.kid))
    expect(occurrences(after.bytes, newDer)).toBe(2)
    expect(occurrences(after.bytes, oldDer)).toBe(0)
    expect(occurrences(before.bytes, oldDer)).toBe(2)
    expect(proc.exitCode).toBeNull()

    proc.kill('SIGTERM')
    expect(await exited).toBe(0)
  }, 60_000)
})
