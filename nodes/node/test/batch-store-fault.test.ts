/**
 * A batch the node acknowledged (`202`, spec 12.4, 14.4) is not lost to a fault of the node's
 * own store: with its database full (`SQLITE_FULL`, what a full disk gives) while the batch is
 * processed, and a disk error while their results are recorded, its letters stay pending and
 * are accepted once the store takes writes again, each once, and the operator reads in the log
 * what failed.
 */
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { eventually } from './harness.js'
import { storeFaultSetup } from './store-fault-setup.js'

describe('a batch whose letters meet a fault of the node store', () => {
  it('keeps them pending and accepts them once the store takes writes again', async () => {
    await using setup = await storeFaultSetup(['Letter 0', 'Letter 1', 'Letter 2'])
    const { skat, lars, letters, dk, logged: loggedNow } = setup
    // The disk fills up: every letter written fails as SQLite fails on a full disk, twice; then
    // the letters are written but recording their results fails once (a disk error).
    const storage = dk.services.storage
    let full = 2 * letters.length
    let ioError = 1
    dk.services.storage = Object.assign(Object.create(storage) as typeof storage, {
      writeLetter: (...a: Parameters<typeof storage.writeLetter>) =>
        full-- > 0
          ? Promise.reject(new Database.SqliteError('database or disk is full', 'SQLITE_FULL'))
          : storage.writeLetter(...a),
      recordBatchResults: (...a: Parameters<typeof storage.recordBatchResults>) =>
        a[0].length > 0 && ioError-- > 0
          ? Promise.reject(new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE'))
          : storage.recordBatchResults(...a),
    })

    const { batchId } = await skat.client.submitBatch(letters.map((l) => l.bytes))
    const done = await eventually(async () => {
      const b = await skat.client.batch(batchId)
      expect(b.completedAt).not.toBeNull()
      return b
    }, 15_000)
    expect(full).toBeLessThan(0)
    expect(ioError).toBeLessThan(0)
    expect(done).toMatchObject({ total: 3, processed: 3, accepted: 3, rejected: 0 })
    // Each once: the letters written before their results failed to record are duplicates.
    const listed = (await lars.client.list('/letters')).letters.map((l) => l.letterId)
    expect(listed.sort()).toEqual(letters.map((l) => l.id).sort())

    // The operator is told what failed and that the letters wait, not that they were refused.
    const logged = loggedNow()
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'error', batchId, code: 'SQLITE_FULL', pending: 3 }),
    )
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: 'batch worker failed', code: 'SQLITE_IOERR_WRITE' }),
    )
    expect(logged.map((l) => l.msg)).not.toContain('batch item failed')
  }, 60_000)
})
