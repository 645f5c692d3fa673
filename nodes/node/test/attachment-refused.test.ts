/**
 * A peer that refuses an attachment for good (spec 11.5, 14.3): above its `maxAttachmentBytes`
 * (`413 ERR_INPUT_TOO_LARGE`), or not matching its digest (`ERR_ATTACHMENT_MISMATCH`). The letter
 * that carries it ends `not-delivered` with the peer's code at once, not at its deadline, with
 * the sending node's `not-delivered` record for registered mail; the other letters of the same
 * transaction are delivered.
 */
import { open } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { verifyEvidenceChain } from '../src/core.js'
import { evidenceChain } from '../src/letters/submit.js'
import { blobPathFor } from '../src/storage/blob-store.js'
import { sealFor, type Fetch, type PlainAttachment } from './clients.js'
import {
  clientFetch,
  etaToLars,
  eventually,
  startPair,
  verifyBundleOffline,
  type Pair,
  type PairOptions,
} from './harness.js'

const file = (size: number, name: string): PlainAttachment => ({
  filename: name,
  mediaType: 'application/octet-stream',
  bytes: new Uint8Array(size).fill(7),
})

/** How many letters each transaction from post.eg to digitalpost.dk carried (in-process). */
function countLetters(): { counts: number[]; wrapFetch: PairOptions['wrapFetch'] } {
  const counts: number[] = []
  const wrapFetch = (side: 'eg' | 'dk', f: Fetch): Fetch => {
    return async (input, init) => {
      if (side === 'eg' && input.includes('/v1/federation/transactions/')) {
        const body = init?.body instanceof Uint8Array ? new TextDecoder().decode(init.body) : ''
        counts.push((JSON.parse(body) as { letters: unknown[] }).letters.length)
      }
      return f(input, init)
    }
  }
  return { counts, wrapFetch }
}

/**
 * Runs `submit` (letters from ETA to Lars) so that its letters go to digitalpost.dk together:
 * submitted while it is down, then post.eg restarted (its catch-up takes every due item at once).
 */
async function sendTogether(pair: Pair, submit: () => Promise<void>): Promise<void> {
  await pair.stop('dk')
  await submit()
  await pair.stop('eg')
  // Items that failed while digitalpost.dk was down are due again after their backoff (<= 200 ms).
  await sleep(300)
  await pair.start('dk')
  await pair.start('eg')
}

describe.each([
  ['in-process', false, 4096],
  // Larger than the socket buffers: the peer answers before it reads the body.
  ['on loopback ports', true, 4 * 1024 * 1024],
])('an attachment the peer refuses for good (%s)', (_name, listen, size) => {
  it('ends its letter not delivered with the peer code at once and delivers the rest of the transaction', async () => {
    const tx = countLetters()
    await using pair = await startPair({
      listen,
      configFor: { dk: { limits: { maxAttachmentBytes: 1024 } } },
      ...(listen ? {} : { wrapFetch: tx.wrapFetch }),
    })
    const { eta, lars } = await etaToLars(pair, { inProcess: true })
    const to = await eta.client.lookup({ address: lars.address })
    if (to.status !== 'active') throw new Error('not active')
    const seal = (subject: string, kind: 'letter' | 'registered', att: PlainAttachment[]) =>
      sealFor({
        from: { address: eta.address, keys: eta.keys },
        to: [{ address: to.address, keys: to }],
        kind,
        subject,
        body: subject,
        lang: 'en',
        attachments: att,
      })
    const big = await seal('too big', 'registered', [file(size, 'scan.bin')])
    const small = await seal('small', 'registered', [file(512, 'note.bin')])
    const plain = await seal('plain', 'letter', [])
    const t0 = Date.now()
    await sendTogether(pair, async () => {
      for (const l of [big, small, plain]) {
        for (const b of l.blobs) await eta.client.uploadBlob(b.digest, b.bytes)
        await eta.client.submit(l.bytes)
      }
    })

    const refused = await eventually(async () => {
      const r = (await eta.client.status(big.id)).recipients[0]!
      expect(r.state).toBe('not-delivered')
      return r
    }, 8000)
    // Promptly: the letter's deadline is 30 days away.
    expect(Date.now() - t0).toBeLessThan(8000)
    expect(refused.code).toBe('ERR_INPUT_TOO_LARGE')
    for (const id of [small.id, plain.id])
      await eventually(async () =>
        expect((await eta.client.status(id)).recipients[0]!.state).toBe('delivered'),
      )
    const listed = (await lars.client.list('/letters')).letters.map((l) => l.letterId)
    expect(listed.sort()).toEqual([small.id, plain.id].sort())
    if (!listen) {
      // The others went in one transaction, without the refused letter.
      expect(tx.counts.filter((n) => n > 0)).toEqual([2])
    }

    // The sending node says so in a signed record that ends the chain, with the reason.
    const eg = pair.nodes.eg.services
    const chain = evidenceChain(await eg.storage.listEvidence(big.id), lars.address)
    expect(chain.map((r) => [r.type, r.issuer])).toEqual([
      ['submission-accepted', 'post.eg'],
      ['not-delivered', 'post.eg'],
    ])
    const verified = await verifyEvidenceChain(
      chain.map((r) => r.record),
      async (kid) => {
        const k = await eg.directory.evidenceKeyByKid(Buffer.from(kid).toString('base64url'))
        return { key: k!.key.key.publicKey, issuer: k!.peer.operator }
      },
    )
    expect(verified.at(-1)!.record).toMatchObject({
      type: 'not-delivered',
      reason: 'ERR_INPUT_TOO_LARGE',
      recipient: lars.address,
    })
    await eg.registered.runOnce()
    const res = await clientFetch(pair, 'eg')(
      `${pair.nodes.eg.url}/v1/sender/letters/${big.id}/evidence-bundle?recipient=${lars.address}`,
      { headers: { authorization: `Bearer ${eta.apiKey}` } },
    )
    expect(res.status).toBe(200)
    expect(await verifyBundleOffline(pair, new Uint8Array(await res.arrayBuffer()))).toBe(0)
  })
})

it('ends a letter not delivered with ERR_ATTACHMENT_MISMATCH when the peer finds its attachment corrupt', async () => {
  await using pair = await startPair()
  const { eta, lars } = await etaToLars(pair, { inProcess: true })
  const to = await eta.client.lookup({ address: lars.address })
  if (to.status !== 'active') throw new Error('not active')
  const seal = (subject: string, att: PlainAttachment[]) =>
    sealFor({
      from: { address: eta.address, keys: eta.keys },
      to: [{ address: to.address, keys: to }],
      kind: 'registered',
      subject,
      body: subject,
      lang: 'en',
      attachments: att,
    })
  const bad = await seal('corrupt', [file(2048, 'scan.bin')])
  const good = await seal('fine', [file(256, 'note.bin')])
  await sendTogether(pair, async () => {
    for (const l of [bad, good]) {
      for (const b of l.blobs) await eta.client.uploadBlob(b.digest, b.bytes)
      await eta.client.submit(l.bytes)
    }
    // A changed byte in post.eg's copy (a disk fault): the peer's digest check refuses it.
    const h = await open(blobPathFor(pair.configs.eg.blobDir, bad.blobs[0]!.digest), 'r+')
    const byte = new Uint8Array(1)
    await h.read(byte, 0, 1, 100)
    await h.write(byte.map((b) => b ^ 0xff), 0, 1, 100)
    await h.close()
  })
  const refused = await eventually(async () => {
    const r = (await eta.client.status(bad.id)).recipients[0]!
    expect(r.state).toBe('not-delivered')
    return r
  }, 8000)
  expect(refused.code).toBe('ERR_ATTACHMENT_MISMATCH')
  await eventually(async () =>
    expect((await eta.client.status(good.id)).recipients[0]!.state).toBe('delivered'),
  )
  const types = evidenceChain(
    await pair.nodes.eg.services.storage.listEvidence(bad.id),
    lars.address,
  ).map((r) => r.type)
  expect(types).toEqual(['submission-accepted', 'not-delivered'])
})
