import { describe, expect, it } from 'vitest'
import { createEvidence, generateKeyPair, newLetterId, toHex } from '../core.js'
import type { EvidenceRow } from '../storage/types.js'
import { followEvidence } from './recipient-state.js'

const key = await generateKeyPair('Ed25519')
const letterId = newLetterId(Date.UTC(2026, 10, 1))
const digest = new Uint8Array(32).fill(0xd1)
const lars = 'lars.jensen@digitalpost.dk'

/** A stored row of a real signed record, as the node keeps it. */
async function row(
  o: {
    type: 'relay-accepted' | 'delivered' | 'not-delivered'
    issuer?: string
    recipient?: string
    reason?: 'recipient-exempt' | 'mailbox-unknown'
    letterDigest?: Uint8Array
  },
  time: number,
): Promise<EvidenceRow> {
  const e = await createEvidence({
    type: o.type,
    letterId,
    letterDigest: o.letterDigest ?? digest,
    issuer: o.issuer ?? 'digitalpost.dk',
    recipient: o.recipient ?? lars,
    ...(o.reason === undefined ? {} : { reason: o.reason }),
    time,
    key: { privateKey: key.privateKey, kid: key.kid },
  })
  return {
    id: toHex(e.digest),
    letterId,
    recipient: o.recipient ?? lars,
    type: o.type,
    issuer: o.issuer ?? 'digitalpost.dk',
    issuedAt: time,
    prev: null,
    record: e.bytes,
  }
}

const view = (stored: 'pending' | 'delivered', rows: EvidenceRow[]) =>
  followEvidence({ state: stored, code: null }, rows, {
    recipient: lars,
    digest: toHex(digest),
    self: 'post.eg',
  })

describe('followEvidence', () => {
  it('moves a recipient on by the records of its own operator about this very letter', async () => {
    expect(view('pending', [await row({ type: 'delivered' }, 1)])).toEqual({
      state: 'delivered',
      code: null,
    })
    expect(
      view('delivered', [await row({ type: 'not-delivered', reason: 'recipient-exempt' }, 2)]),
    ).toEqual({ state: 'not-delivered', code: 'ERR_RECIPIENT_EXEMPT' })
  })

  it('ignores records of other recipients, third operators and other letters of the same id', async () => {
    const refusal = { type: 'not-delivered', reason: 'mailbox-unknown' } as const
    const ignored = [
      await row({ ...refusal, recipient: 'amina.hassan@post.eg' }, 1),
      await row({ ...refusal, issuer: 'post.se' }, 1),
      await row({ ...refusal, letterDigest: new Uint8Array(32).fill(0xee) }, 1),
    ]
    expect(view('delivered', ignored)).toEqual({ state: 'delivered', code: null })
    expect(view('pending', ignored)).toEqual({ state: 'pending', code: null })
  })

  it('counts a refusal the sending node itself issued', async () => {
    const own = await row({ type: 'not-delivered', issuer: 'post.eg', reason: 'mailbox-unknown' }, 1)
    expect(view('pending', [own])).toEqual({
      state: 'not-delivered',
      code: 'ERR_RECIPIENT_UNKNOWN',
    })
  })

  it('keeps a stored not-delivered outcome whatever records follow', async () => {
    const stored = { state: 'not-delivered' as const, code: 'ERR_DELIVERY_EXPIRED' }
    const rows = [await row({ type: 'delivered' }, 1)]
    expect(
      followEvidence(stored, rows, { recipient: lars, digest: toHex(digest), self: 'post.eg' }),
    ).toEqual(stored)
  })
})
