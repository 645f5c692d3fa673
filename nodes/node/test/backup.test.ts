/**
 * Backup and restore (spec 15.8): the Danish node is backed up while letters keep arriving, then
 * replaced by a node started on the backup. Everything the copy holds is whole: the database
 * passes SQLite's integrity check, every letter in the resident's mailbox opens with its
 * attachment, and the node's keys and trust came along (the resident signs in and reads).
 */
import Database from 'better-sqlite3'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { backupNode, type BackupManifest } from '../src/ops/backup.js'
import { createLogger } from '../src/ops/logger.js'
import { sealFor } from './clients.js'
import { eventually, makeAgency, makeCitizen, restoredConfig, startPair } from './harness.js'

let dir: string | undefined
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

const attachment = (i: number) => new TextEncoder().encode(`%PDF-1.4\n% letter ${i}\n%%EOF\n`)

describe('a node backup', () => {
  it('taken while letters arrive, restores a node whose every letter opens with its attachment', async () => {
    dir = await mkdtemp(join(tmpdir(), 'barid-backup-'))
    await using pair = await startPair()
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const to = await eta.client.lookup({ address: lars.address })
    if (to.status !== 'active') throw new Error(to.status)
    const send = async (i: number) => {
      const l = await sealFor({
        from: { address: eta.address, keys: eta.keys },
        to: [{ address: to.address, keys: to }],
        kind: 'registered',
        subject: `Letter ${i}`,
        body: `Body ${i}`,
        lang: 'en',
        attachments: [
          { filename: `${i}.pdf`, mediaType: 'application/pdf', bytes: attachment(i) },
        ],
      })
      for (const b of l.blobs) await eta.client.uploadBlob(b.digest, b.bytes)
      await eta.client.submit(l.bytes)
      return l.id
    }
    const before = [await send(0), await send(1), await send(2)]
    await eventually(async () => {
      const listed = await lars.client.list('/letters')
      expect(listed.letters.map((l) => l.letterId).sort()).toEqual([...before].sort())
      expect(await pair.nodes.dk.services.storage.logSize()).toBeGreaterThanOrEqual(3)
    })

    // More letters on their way to the Danish node while its backup is taken.
    const during = Promise.all([3, 4, 5, 6, 7, 8].map(send))
    const target = join(dir, 'dk-backup')
    const steps: string[] = []
    const manifest = await backupNode(pair.configs.dk, target, (s) => steps.push(s))
    await during

    expect(JSON.parse(await readFile(join(target, 'backup.json'), 'utf8'))).toEqual(manifest)
    expect(manifest).toMatchObject<Partial<BackupManifest>>({ v: 1, operator: 'digitalpost.dk' })
    expect(manifest.blobs.copied).toBeGreaterThanOrEqual(3)
    expect(manifest.blobs.purgedSince).toEqual([])
    // The three letters' delivered records were logged before the backup (16.5: within a second).
    expect(manifest.log.size).toBeGreaterThanOrEqual(3)
    expect(manifest.log.lastCheckpoint!.size).toBeGreaterThanOrEqual(3)
    expect(manifest.log.lastCheckpoint!.size).toBeLessThanOrEqual(manifest.log.size)
    expect(manifest.files).toEqual(expect.arrayContaining([join('operator', 'node.key.jwk')]))
    expect(steps.at(-1)).toMatch(/^files copied/)
    const check = new Database(join(target, 'node.db'), { readonly: true })
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok')
    check.close()
    await expect(backupNode(pair.configs.dk, target)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })

    // The Danish node replaced by one started on the backup, at the same address.
    const old = pair.configs.dk
    await pair.stop('dk')
    pair.configs.dk = restoredConfig(old, target)
    const lines: string[] = []
    await pair.start('dk', { log: createLogger({ level: 'warn', write: (l) => lines.push(l) }) })
    // It says, at every start while backup.json is there, what the restore means (spec 15.8).
    const warned = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => String(l.msg).startsWith('this data directory is a restored backup'))
    expect(warned).toMatchObject({
      level: 'warn',
      takenAt: new Date(manifest.takenAt).toISOString(),
      logSize: manifest.log.size,
    })

    const listed = (await lars.client.list('/letters')).letters.map((l) => l.letterId)
    expect(listed).toEqual(expect.arrayContaining(before))
    for (const id of listed) {
      const opened = await lars.client.open('/letters', id, {
        address: lars.address,
        keys: lars.keys,
      })
      const i = Number(opened.subject?.replace('Letter ', ''))
      expect(new TextDecoder().decode(opened.body)).toBe(`Body ${i}`)
      expect(opened.files[0]!.bytes).toEqual(attachment(i))
    }
  }, 60_000)
})
