/**
 * The operators store and relay ciphertext only: after a letter with a body and an attachment
 * has crossed the border and been read, no file of either node (database, WAL, blobs, keys)
 * contains the letter's plaintext.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sealFor } from './clients.js'
import { eventually, makeAgency, makeCitizen, startPair } from './harness.js'

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await filesUnder(p)))
    else out.push(p)
  }
  return out
}

async function occurrences(dir: string, needle: Uint8Array): Promise<string[]> {
  const hits: string[] = []
  for (const f of await filesUnder(dir))
    if (Buffer.from(await readFile(f)).indexOf(Buffer.from(needle)) >= 0) hits.push(f)
  return hits
}

describe('ciphertext only', () => {
  it("leaves no trace of a letter's body, subject or attachment in either node's files", async () => {
    await using pair = await startPair({ listen: true })
    const eta = await makeAgency(pair, 'eg', 'eta', 'ETA', 'tax', fetch)
    const lars = await makeCitizen(pair, 'dk', 'lars', 'dk:cpr:0101901234', fetch)
    const to = await eta.client.lookup({ identifier: lars.identifier })
    if (to.status !== 'active') throw new Error('lookup')
    const body = 'CONFIDENTIAL-BODY-7f3a9c: your tax refund is 12,345 EGP'
    const subject = 'SECRET-SUBJECT-51be02'
    const file = new TextEncoder().encode('%PDF-1.4 ATTACHMENT-PLAINTEXT-d41d8c '.repeat(200))
    const l = await sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      kind: 'registered',
      subject,
      body,
      lang: 'en',
      attachments: [
        { filename: 'SECRET-FILENAME-9e107d.pdf', mediaType: 'application/pdf', bytes: file },
      ],
    })
    for (const b of l.blobs) await eta.client.uploadBlob(b.digest, b.bytes)
    await eta.client.submit(l.bytes)
    await eventually(async () =>
      expect((await eta.client.status(l.id)).recipients[0]!.state).toBe('delivered'),
    )
    const opened = await lars.client.open('/letters', l.id, {
      address: lars.address,
      keys: lars.keys,
    })
    expect(new TextDecoder().decode(opened.body)).toBe(body)
    await lars.client.markOpened('/letters', l.id)
    await eventually(async () =>
      expect((await eta.client.status(l.id)).recipients[0]!.chain).toHaveLength(4),
    )

    const enc = (s: string) => new TextEncoder().encode(s)
    // The scan works: the letter id (public routing data) is found in both databases.
    expect((await occurrences(pair.dir, enc(l.id))).length).toBeGreaterThan(0)
    for (const secret of [
      'CONFIDENTIAL-BODY-7f3a9c',
      'SECRET-SUBJECT-51be02',
      'ATTACHMENT-PLAINTEXT-d41d8c',
      'SECRET-FILENAME-9e107d',
      'tax refund',
    ]) {
      expect(await occurrences(pair.dir, enc(secret)), secret).toEqual([])
    }
  })
})
