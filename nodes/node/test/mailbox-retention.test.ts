/**
 * Mailbox retention (spec 15.4) on real nodes: Egypt Post sends registered letters with
 * attachments to a Danish citizen, the nodes' test clocks move on, and the Danish node's
 * retention job removes what is past `retention.mailboxDays` (here 1 day), and nothing else.
 */
import { describe, expect, it } from 'vitest'
import {
  encryptAttachment,
  fromBase64Url,
  importPublicJwk,
  readEvidenceBundle,
  sealLetter,
  toHex,
  verifyEvidenceChain,
} from '../src/core.js'
import type { LookupResult } from '../src/directory/lookup.js'
import { clockControl } from '../src/test-control/clock.js'
import type { Agency } from './harness.js'
import {
  clientFetch,
  eventually,
  makeAgency,
  makeCitizen,
  startPair,
  verifyBundleOffline,
  type Pair,
} from './harness.js'

const DAY = 86_400_000

interface Attachment {
  enc: Awaited<ReturnType<typeof encryptAttachment>>
  id: string
  filename: string
}

async function attachment(id: string, text: string): Promise<Attachment> {
  const enc = await encryptAttachment(new TextEncoder().encode(text), { attachmentId: id })
  return { enc, id, filename: `${id}.txt` }
}

/** Seals a registered letter naming already encrypted attachments (so two letters can share one). */
async function seal(
  from: Agency,
  to: LookupResult & { status: 'active' },
  category: 'registered' | 'proof-of-receipt',
  attachments: Attachment[],
) {
  const keys = []
  for (const k of to.keys.filter((k) => k.use === 'enc')) {
    const h = await importPublicJwk(k.jwk, { use: 'encrypt' })
    keys.push({ publicKey: h.publicKey, kid: h.kid })
  }
  const sealed = await sealLetter({
    sender: {
      address: from.address,
      signingKey: from.keys.sign.privateKey,
      kid: from.keys.sign.kid,
      encryptionKey: { publicKey: from.keys.enc.publicKey, kid: from.keys.enc.kid },
    },
    recipients: [{ address: to.address, keys }],
    kind: 'registered',
    category,
    contentType: 'text/plain; charset=utf-8',
    lang: 'da',
    subject: 'Afgørelse',
    body: new TextEncoder().encode('Se vedhæftede.'),
    attachments: attachments.map((a) => ({
      id: a.id,
      size: a.enc.size,
      sha256: a.enc.sha256,
      key: a.enc.key,
      filename: a.filename,
      mediaType: 'text/plain',
    })),
  })
  for (const a of attachments) await from.client.uploadBlob(toHex(a.enc.sha256), a.enc.ciphertext)
  await from.client.submit(sealed.bytes)
  await eventually(async () =>
    expect((await from.client.status(sealed.id)).recipients[0]!.state).toBe('delivered'),
  )
  return sealed.id
}

/** Moves both nodes' clocks (federation requests are signed with a 60 s freshness window). */
function advance(pair: Pair, ms: number): void {
  for (const side of ['eg', 'dk'] as const) clockControl(pair.nodes[side].services.now)!.advance(ms)
}

describe('mailbox retention', () => {
  it('removes letters past retention with their unshared blobs, keeps evidence verifiable, younger letters and letters awaiting retrieval', async () => {
    await using pair = await startPair({
      config: { testControlSecret: 'retention-test-control-secret-0123456789' },
    })
    // Denmark keeps letters one day (its profile says five years; the law of the test says one).
    const dkProfile = pair.configs.dk.profile
    pair.configs.dk = {
      ...pair.configs.dk,
      profile: { ...dkProfile, retention: { ...dkProfile.retention, mailboxDays: 1 } },
    }
    await pair.stop('dk')
    await pair.start('dk')
    const eta = await makeAgency(pair, 'eg', 'eta', 'Egyptian Tax Authority', 'tax')
    const lars = await makeCitizen(pair, 'dk', 'lars.jensen', 'dk:cpr:0101901234')
    const found = await eta.client.lookup({ identifier: 'dk:cpr:0101901234' })
    if (found.status !== 'active') throw new Error('not active')

    const shared = await attachment('a1', 'Vejledning om klageadgang (same for every letter).')
    const own = await attachment('a2', 'Afgørelse for Lars Jensen.')
    const old = await seal(eta, found, 'registered', [shared, own])
    const awaiting = await seal(eta, found, 'proof-of-receipt', [])
    advance(pair, 0.75 * DAY)
    const young = await seal(eta, found, 'registered', [shared])
    advance(pair, 0.5 * DAY)

    const dk = pair.nodes.dk
    await dk.services.registered.runOnce() // the delivery feed and the log are up to date
    const evidenceBefore = await dk.services.storage.listEvidence(old)
    expect(evidenceBefore.map((e) => e.type).sort()).toEqual([
      'delivered',
      'relay-accepted',
      'submission-accepted',
    ])
    const logSize = dk.services.registered.log.size

    const run = await dk.retention.runOnce()
    expect(run).toMatchObject({ entries: 1, letters: 1, blobs: 1, more: false })

    // The citizen no longer sees the old letter: 404 ERR_NOT_FOUND, like a letter never held.
    const listed = await lars.client.list('/letters')
    expect(listed.letters.map((l) => l.letterId)).toEqual([young, awaiting])
    for (const call of [
      () => lars.client.fetchLetter('/letters', old),
      () => lars.client.attachment('/letters', old, 0),
      () => lars.client.markOpened('/letters', old),
    ])
      await expect(call()).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    const res = await clientFetch(pair, 'dk')(`${dk.url}/v1/citizen/letters/${old}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${await lars.client.auth()}` },
    })
    expect(res.status).toBe(404)

    // Its own attachment is gone from disk; the one the young letter shares stays and opens.
    expect(await dk.services.blobs.size(toHex(own.enc.sha256))).toBeUndefined()
    expect(await dk.services.blobs.size(toHex(shared.enc.sha256))).toBe(shared.enc.size)
    const opened = await lars.client.open('/letters', young, lars)
    expect(new TextDecoder().decode(opened.files[0]!.bytes)).toContain('klageadgang')

    // Evidence outlives the letter: the records, the log, and an evidence bundle exported by the
    // sender's node (with the Danish node's inclusion proofs) that verifies offline.
    expect(await dk.services.storage.listEvidence(old)).toEqual(evidenceBefore)
    await dk.services.registered.runOnce()
    expect(dk.services.registered.log.size).toBe(logSize)
    const status = await eta.client.status(old)
    const chain = await verifyEvidenceChain(
      status.recipients[0]!.chain!.map(fromBase64Url),
      async (kid) => {
        const k = await pair.nodes.eg.services.directory.evidenceKeyByKid(
          Buffer.from(kid).toString('base64url'),
        )
        return { key: k!.key.key.publicKey, issuer: k!.peer.operator }
      },
    )
    expect(chain.map((c) => c.record.type)).toEqual([
      'submission-accepted',
      'relay-accepted',
      'delivered',
    ])
    await pair.nodes.eg.services.registered.runOnce()
    const bundleRes = await clientFetch(pair, 'eg')(
      `${pair.nodes.eg.url}/v1/sender/letters/${old}/evidence-bundle?recipient=${lars.address}`,
      { headers: { authorization: `Bearer ${eta.apiKey}` } },
    )
    expect(bundleRes.status).toBe(200)
    const bytes = new Uint8Array(await bundleRes.arrayBuffer())
    expect(readEvidenceBundle(bytes).log).toHaveLength(3)
    expect(await verifyBundleOffline(pair, bytes)).toBe(0)

    // Running again changes nothing; the node stops cleanly with the worker.
    expect(await dk.retention.runOnce()).toMatchObject({ entries: 0, more: false })
  })
})
