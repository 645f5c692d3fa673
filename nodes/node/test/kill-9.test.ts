/**
 * Crash safety: both nodes run as child processes and are killed with SIGKILL (no chance to
 * clean up) while a batch of letters is being accepted and relayed. After restarts from the same
 * data directories, every letter is in its mailbox exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadProfile } from '../src/config/profile.js'
import type { TrustConfig } from '../src/config/config.js'
import { AgencyClient, CitizenClient, newPartyKeys, sealFor } from './clients.js'
import { eventually, FAST_DELIVERY, federate, freePort } from './harness.js'

const NODE_DIR = fileURLToPath(new URL('..', import.meta.url))

interface Child {
  url: string
  proc?: ChildProcess
  start(): Promise<void>
  kill9(): Promise<void>
  stop(): Promise<void>
}

async function child(
  folder: string,
  dir: string,
  port: number,
  trust: Partial<TrustConfig>,
): Promise<Child & { dataDir: string }> {
  const profileDir = join(NODE_DIR, '..', folder)
  const url = `http://127.0.0.1:${port}`
  const dataDir = join(dir, folder)
  const config = {
    profile: profileDir,
    dataDir,
    port,
    publicUrl: url,
    trust,
    logLevel: 'silent',
    devIdentityProvider: true,
    delivery: FAST_DELIVERY,
  }
  const file = join(dir, `${folder}.json`)
  await writeFile(file, JSON.stringify(config))
  const c: Child & { dataDir: string } = {
    url,
    dataDir,
    async start() {
      c.proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', file], {
        cwd: NODE_DIR,
        stdio: ['ignore', 'ignore', 'inherit'],
      })
      await eventually(
        async () => expect((await fetch(`${url}/readyz`)).status).toBe(200),
        30_000,
        100,
      )
    },
    async kill9() {
      const p = c.proc!
      const exited = new Promise((r) => p.once('exit', r))
      p.kill('SIGKILL')
      await exited
    },
    async stop() {
      const p = c.proc
      if (!p || p.exitCode !== null) return
      const exited = new Promise((r) => p.once('exit', r))
      p.kill('SIGTERM')
      await exited
    },
  }
  return c
}

async function admin(node: { url: string; dataDir: string }, path: string, body: unknown) {
  const token = (await readFile(join(node.dataDir, 'keys', 'admin-token'), 'utf8')).trim()
  const res = await fetch(`${node.url}/v1/admin${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(res.status).toBe(201)
  return res.json()
}

describe('kill -9', () => {
  it('loses nothing and duplicates nothing when both nodes are killed mid-stream', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'barid-kill9-'))
    const ports = { eg: await freePort(), dk: await freePort() }
    const fed = await federate(dir, [
      {
        profile: await loadProfile(join(NODE_DIR, '..', 'egypt-post')),
        url: `http://127.0.0.1:${ports.eg}`,
        dataDir: join(dir, 'egypt-post'),
      },
      {
        profile: await loadProfile(join(NODE_DIR, '..', 'denmark')),
        url: `http://127.0.0.1:${ports.dk}`,
        dataDir: join(dir, 'denmark'),
      },
    ])
    const eg = await child('egypt-post', dir, ports.eg, fed.trust)
    const dk = await child('denmark', dir, ports.dk, fed.trust)
    try {
      await Promise.all([eg.start(), dk.start()])
      const sender = (await admin(eg, '/senders', { id: 'eta', name: 'ETA', address: 'tax' })) as {
        apiKey: string
        mailbox: { address: string }
      }
      await admin(dk, '/mailboxes', { address: 'lars', identifier: 'dk:cpr:0101901234' })
      const etaKeys = await newPartyKeys()
      const larsKeys = await newPartyKeys()
      const eta = new AgencyClient(eg.url, sender.apiKey)
      const tokenOf = async () =>
        (
          (await (
            await fetch(`${dk.url}/dev/idp/token`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ identifier: 'dk:cpr:0101901234' }),
            })
          ).json()) as { access_token: string }
        ).access_token
      const lars = new CitizenClient(dk.url, tokenOf)
      await eta.registerKeys(etaKeys)
      await lars.registerKeys(larsKeys)
      const to = await eta.lookup({ identifier: 'dk:cpr:0101901234' })
      if (to.status !== 'active') throw new Error('lookup')
      const letters: Awaited<ReturnType<typeof sealFor>>[] = []
      for (let i = 0; i < 40; i++) {
        letters.push(
          await sealFor({
            from: { address: sender.mailbox.address, keys: etaKeys },
            to: [{ address: to.address, keys: to }],
            kind: 'registered',
            subject: `n${i}`,
            body: `letter ${i}`,
            lang: 'en',
          }),
        )
      }
      const { batchId } = await eta.submitBatch(letters.map((l) => l.bytes))
      await new Promise((r) => setTimeout(r, 40))
      await dk.kill9()
      await new Promise((r) => setTimeout(r, 100))
      await eg.kill9()
      await Promise.all([eg.start(), dk.start()])
      await eventually(
        async () => expect((await eta.batch(batchId)).processed).toBe(40),
        30_000,
        100,
      )
      await new Promise((r) => setTimeout(r, 30))
      await eg.kill9()
      await eg.start()
      await eventually(
        async () => {
          const list = await lars.list('/letters', 'limit=200')
          expect(list.letters.length).toBe(40)
        },
        30_000,
        100,
      )
      const list = await lars.list('/letters', 'limit=200')
      expect(new Set(list.letters.map((l) => l.letterId))).toEqual(
        new Set(letters.map((l) => l.id)),
      )
      await eventually(
        async () => {
          for (const l of letters)
            expect((await eta.status(l.id)).recipients[0]!.state).toBe('delivered')
        },
        30_000,
        100,
      )
    } finally {
      await Promise.all([eg.stop(), dk.stop()])
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
