import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'
import { loadProfile, parseProfile } from './profile.js'

const NODES = fileURLToPath(new URL('../../../', import.meta.url))

describe('operator profiles and configuration', () => {
  it('reads the Egypt Post and Denmark profiles', async () => {
    const eg = await loadProfile(join(NODES, 'egypt-post'))
    const dk = await loadProfile(join(NODES, 'denmark'))
    expect(eg).toMatchObject({
      operator: 'post.eg',
      country: 'EG',
      languages: ['ar', 'en'],
      timeZone: 'Africa/Cairo',
      identifierSchemes: ['eg:nid', 'eg:crn'],
      port: 7401,
    })
    expect(dk).toMatchObject({
      operator: 'digitalpost.dk',
      country: 'DK',
      languages: ['da', 'en'],
      timeZone: 'Europe/Copenhagen',
      identifierSchemes: ['dk:cpr', 'dk:cvr'],
      port: 7402,
    })
    expect(eg.displayName.ar).toBe('البريد المصري')
    expect(dk.displayName.da).toBe('Digital Post')
  })

  it('refuses unknown settings, bad time zones and bad operator ids', async () => {
    const base = await loadProfile(join(NODES, 'denmark'))
    expect(() => parseProfile({ ...base, colour: 'red' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    expect(() => parseProfile({ ...base, timeZone: 'Mars/Olympus' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    expect(() => parseProfile({ ...base, operator: 'not an operator' })).toThrow(
      expect.objectContaining({
        code: expect.stringMatching(/^ERR_(ADDRESS_INVALID|INVALID_ARGUMENT)$/),
      }),
    )
  })

  it('layers defaults, profile, config file and environment, later winning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'barid-config-'))
    try {
      const file = join(dir, 'node.json')
      await writeFile(
        file,
        JSON.stringify({
          profile: join(NODES, 'egypt-post'),
          dataDir: 'data',
          port: 9000,
          delivery: { concurrencyPerPeer: 2 },
        }),
      )
      const c = await loadConfig({
        configFile: file,
        env: {
          BARID_PORT: '9100',
          BARID_PUBLIC_URL: 'https://barid.post.eg/',
          BARID_DEV_IDP: 'true',
        },
      })
      expect(c.profile.operator).toBe('post.eg')
      expect(c.dataDir).toBe(join(dir, 'data'))
      expect(c.port).toBe(9100)
      expect(c.publicUrl).toBe('https://barid.post.eg')
      expect(c.devIdentityProvider).toBe(true)
      expect(c.delivery.concurrencyPerPeer).toBe(2)
      expect(c.delivery.batchSize).toBe(100)
      expect(c.dbFile).toBe(join(dir, 'data', 'node.db'))
      await writeFile(file, JSON.stringify({ profile: join(NODES, 'egypt-post'), prot: 1 }))
      await expect(loadConfig({ configFile: file })).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
      })
      await expect(
        loadConfig({ profile: join(NODES, 'egypt-post'), env: { BARID_PORT: 'eighty' } }),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
      await expect(loadConfig({ env: {} })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('takes print limits from the configuration, within their ranges', async () => {
    const profile = join(NODES, 'denmark')
    const dataDir = '/tmp/barid-print-limits'
    const limits = async (printLimits: Record<string, number>) =>
      (await loadConfig({ profile, overrides: { dataDir, registered: { printLimits } } }))
        .registered.printLimits
    expect(await limits({})).toEqual({
      maxBodyBytes: 524_288,
      maxParagraphUnits: 65_536,
      maxPages: 250,
    })
    expect((await limits({ maxPages: 10 })).maxPages).toBe(10)
    const refused: Record<string, number>[] = [
      { maxPages: 1 },
      { maxBodyBytes: 2 ** 30 },
      { maxPages: 2.5 },
      { pages: 3 },
    ]
    for (const bad of refused)
      await expect(limits(bad)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
  })

  it('refuses every non-public peer address by default, and allows only the classes configured', async () => {
    const profile = join(NODES, 'egypt-post')
    const c = await loadConfig({ profile, env: {} })
    expect(c.trust).toMatchObject({
      allowNonPublic: [],
      discoveryMaxAgeSeconds: 3600,
      discoveryCooldownSeconds: 30,
    })
    const local = await loadConfig({
      profile,
      env: { BARID_ALLOW_NON_PUBLIC: 'loopback, private' },
    })
    expect(local.trust.allowNonPublic).toEqual(['loopback', 'private'])
    for (const bad of ['multicast', 'public', 'reserved', 'loopback,unspecified'])
      await expect(
        loadConfig({ profile, env: { BARID_ALLOW_NON_PUBLIC: bad } }),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    await expect(
      loadConfig({ profile, overrides: { trust: { discoveryMaxAgeSeconds: 86_401 } } }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
  })
})
