import Database from 'better-sqlite3'
import fc from 'fast-check'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createSqliteStorage } from '../sqlite-storage.js'
import type { Storage } from '../storage.js'
import { directoryCache } from './directory-cache.js'
import { T } from './storage-fixtures.js'

describe('directoryCache', () => {
  it('loads a key once and answers later lookups from memory, undefined included', () => {
    let loads = 0
    const cache = directoryCache({ max: 10, version: () => 1 })
    const load = () => (loads++, undefined)
    expect(cache.get('a', load)).toBeUndefined()
    expect(cache.get('a', load)).toBeUndefined()
    expect(loads).toBe(1)
  })

  it('never holds more than its bound, and keeps the newest key, whatever the keys', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string(), { maxLength: 300 }),
        fc.integer({ min: 1, max: 20 }),
        (keys, max) => {
          const cache = directoryCache({ max, version: () => 0 })
          for (const k of keys) {
            cache.get(k, () => k.length)
            expect(cache.size).toBeLessThanOrEqual(max)
            expect(cache.get(k, () => -1)).toBe(k.length)
          }
        },
      ),
      { numRuns: 50 },
    )
  })

  it('forgets everything when the version moves (another connection committed), seen within checkEveryMs', () => {
    let version = 1
    let reads = 0
    let t = 0
    let loads = 0
    const cache = directoryCache({
      max: 10,
      version: () => (reads++, version),
      checkEveryMs: 1000,
      now: () => t,
    })
    cache.get('a', () => ++loads)
    version = 2
    t = 999
    expect(cache.get('a', () => ++loads)).toBe(1)
    t = 1000
    expect(cache.get('a', () => ++loads)).toBe(2)
    // One read at creation and one per elapsed period, not one per lookup.
    expect(reads).toBe(2)
  })

  it('hands out frozen rows, so that no caller can change another caller’s copy', () => {
    const cache = directoryCache({ max: 10, version: () => 0 })
    const row = cache.get('a', () => ({ status: 'active' }))
    expect(() => {
      ;(row as { status: string }).status = 'closed'
    }).toThrow(TypeError)
  })
})

describe('the SQLite directory behind the cache', () => {
  let dir: string | undefined
  let storage: Storage | undefined
  afterEach(async () => {
    await storage?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
    storage = dir = undefined
  })

  async function open(): Promise<{ s: Storage; file: string; id: number }> {
    dir = mkdtempSync(join(tmpdir(), 'barid-dircache-'))
    const file = join(dir, 'node.db')
    const s = (storage = createSqliteStorage({ file }))
    const mb = await s.createMailbox({
      address: 'ab12@digitalpost.dk',
      kind: 'person',
      createdAt: T,
    })
    return { s, file, id: mb.id }
  }

  it('sees its own writes at once: status, keys, senders, new mailboxes', async () => {
    const { s, id } = await open()
    expect((await s.getMailboxById(id))?.status).toBe('active')
    expect(await s.getMailboxByAddress('cd34@digitalpost.dk')).toBeUndefined()
    expect(await s.currentKeyJwk(id, 'k1', 'sig')).toBeUndefined()
    expect(await s.getSenderApiKey('key-1')).toBeUndefined()

    await s.setMailboxStatus(id, 'closed')
    await s.createMailbox({ address: 'cd34@digitalpost.dk', kind: 'person', createdAt: T })
    await s.addMailboxKey({
      mailboxId: id,
      kid: 'k1',
      use: 'sig',
      jwk: '{"kty":"OKP"}',
      certificate: '-----BEGIN CERTIFICATE-----',
      label: null,
      createdAt: T,
      revokedAt: null,
    })
    await s.createSender(
      { id: 'snd-1', name: 'Agency', mailboxId: id, createdAt: T },
      { keyId: 'key-1', senderId: 'snd-1', hash: '00', createdAt: T, expiresAt: null },
    )

    expect((await s.getMailboxById(id))?.status).toBe('closed')
    const created = await s.getMailboxByAddress('cd34@digitalpost.dk')
    expect(created?.address).toBe('cd34@digitalpost.dk')
    expect(await s.currentKeyJwk(id, 'k1', 'sig')).toBe('{"kty":"OKP"}')
    expect((await s.getSenderApiKey('key-1'))?.sender.id).toBe('snd-1')

    await s.revokeMailboxKey(id, 'k1', T + 1)
    expect(await s.currentKeyJwk(id, 'k1', 'sig')).toBeUndefined()
  })

  it('sees a commit made by another connection to the same file within a second', async () => {
    const { s, file, id } = await open()
    expect((await s.getMailboxById(id))?.status).toBe('active')
    const other = new Database(file)
    other.prepare(`update mailboxes set status = 'closed' where id = ?`).run(id)
    other.close()
    await new Promise((r) => setTimeout(r, 1000))
    expect((await s.getMailboxById(id))?.status).toBe('closed')
  })
})
