/**
 * A request that meets a fault of the node's own store (its disk full, an I/O error) is the
 * node's trouble for now, not the caller's mistake and not a bug: the node answers `503
 * ERR_UNAVAILABLE` with `Retry-After` (spec 10.4), so a sender's client retries, counts the fault
 * in `barid_store_faults_total` by code for the operator's alerts (15.3), logs it once with its
 * code, and takes the same request once the store writes again.
 */
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { toBase64Url } from '../src/core.js'
import { clientFetch } from './harness.js'
import { storeFaultSetup } from './store-fault-setup.js'

describe('a request that meets a fault of the node store', () => {
  it('is answered 503 with Retry-After, counted by code, and taken once the store writes again', async () => {
    await using setup = await storeFaultSetup(['Årsopgørelse'])
    const { pair, skat, lars, dk, lines } = setup
    const letter = setup.letters[0]!
    const storage = dk.services.storage
    let full = 1
    dk.services.storage = Object.assign(Object.create(storage) as typeof storage, {
      writeLetter: (...a: Parameters<typeof storage.writeLetter>) =>
        full-- > 0
          ? Promise.reject(new Database.SqliteError('database or disk is full', 'SQLITE_FULL'))
          : storage.writeLetter(...a),
    })

    const f = clientFetch(pair, 'dk')
    const submit = () =>
      f(`${dk.url}/v1/sender/letters`, {
        method: 'POST',
        headers: { authorization: `Bearer ${skat.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ letter: toBase64Url(letter.bytes) }),
      })
    const refused = await submit()
    expect(refused.status).toBe(503)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await refused.json()).toMatchObject({ error: { code: 'ERR_UNAVAILABLE' } })

    const metrics = await (await f(`${dk.url}/metrics`)).text()
    expect(metrics).toContain('barid_store_faults_total{code="SQLITE_FULL"} 1')
    const logged = setup.logged()
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'store fault', code: 'SQLITE_FULL' }),
    )
    // No letter content, and not the bug-shaped line a real bug gets.
    expect(lines.join('\n')).not.toContain('Årsopgørelse')
    expect(logged.map((l) => l.msg)).not.toContain('unexpected error')

    const taken = await submit()
    expect(taken.status).toBeLessThan(300)
    const listed = (await lars.client.list('/letters')).letters.map((l) => l.letterId)
    expect(listed).toEqual([letter.id])
  }, 60_000)
})
