/**
 * Where a node listens, as its operator reads it: with port 0 the system chooses the port, and
 * the public URL derived from the listen address, the development federation it makes on a
 * first start, its development IdP and its `node started` log line name the port bound. The
 * port is bound before anything else, so a port taken stops the start before it makes a data
 * directory.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/config.js'
import { startNode } from '../src/node.js'
import { createLogger } from '../src/ops/logger.js'

const PROFILE = fileURLToPath(new URL('../../denmark', import.meta.url))

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-listen-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('where a node listens', () => {
  it('binds a free port for port 0 and names it in its public URL, federation and log', async () => {
    const lines: Record<string, unknown>[] = []
    const config = await loadConfig({
      profile: PROFILE,
      env: { BARID_PORT: '0', BARID_DEV_IDP: 'true' },
      overrides: { dataDir: join(dir, 'zero') },
    })
    expect(config.publicUrl).toBe('http://127.0.0.1:0')
    await using node = await startNode(config, {
      log: createLogger({
        level: 'info',
        write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
      }),
    })
    const port = node.listening!.port
    expect(port).toBeGreaterThan(0)
    expect(node.url).toBe(`http://127.0.0.1:${port}`)
    expect(node.config).toMatchObject({ port, publicUrl: node.url })
    expect(node.config.citizenAuth).toMatchObject({
      issuer: `${node.url}/dev/idp`,
      audience: `${node.url}/v1/citizen`,
    })
    expect(node.services.trust.held.store.endpointsOf('digitalpost.dk')).toEqual([
      `${node.url}/`,
    ])
    expect((await fetch(`${node.url}/.well-known/barid-node`)).status).toBe(200)
    expect(lines.find((l) => l.msg === 'node started')).toMatchObject({
      address: '127.0.0.1',
      port,
      url: node.url,
    })
  }, 60_000)

  it('keeps a configured public URL when it listens on a port it was given or chose', async () => {
    const config = await loadConfig({
      profile: PROFILE,
      env: { BARID_PORT: '0', BARID_PUBLIC_URL: 'https://barid.example.dk/' },
      overrides: { dataDir: join(dir, 'public'), logLevel: 'silent' },
    })
    await using node = await startNode(config)
    expect(node.listening!.port).toBeGreaterThan(0)
    expect(node.config.port).toBe(node.listening!.port)
    expect(node.url).toBe('https://barid.example.dk')
    expect(node.config.citizenAuth.issuer).toBe('https://barid.example.dk/dev/idp')
  }, 60_000)

  it('refuses a port already taken before it makes its data directory', async () => {
    const taken: Server = createServer()
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r))
    try {
      const port = (taken.address() as { port: number }).port
      const dataDir = join(dir, 'taken')
      const config = await loadConfig({
        profile: PROFILE,
        env: { BARID_PORT: String(port) },
        overrides: { dataDir, logLevel: 'silent' },
      })
      await expect(startNode(config)).rejects.toMatchObject({ code: 'EADDRINUSE' })
      await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' })
    } finally {
      await new Promise((r) => taken.close(r))
    }
  }, 60_000)
})
