import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { transactionId } from '../delivery/outbound.js'
import type { OutboxItem } from '../storage/types.js'
import { advertisedFeatures, FEATURES, MAX_FEATURES } from './features.js'

describe('advertisedFeatures', () => {
  it('keeps the features it knows and ignores names it does not', () => {
    const doc = { v: 1, features: ['later-feature', 'sender-display', 'Sender-Display', 7] }
    expect([...advertisedFeatures(doc)]).toEqual(['sender-display'])
  })

  it('reads a document without features, or with features not a list of at most 64, as none', () => {
    for (const doc of [
      {},
      { features: 'sender-display' },
      { features: { 0: 'sender-display' } },
      { features: [...Array<string>(MAX_FEATURES).fill('x'), 'sender-display'] },
      null,
      'sender-display',
    ])
      expect(advertisedFeatures(doc).size).toBe(0)
  })

  it('never throws on a hostile document and gives only features this node implements', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ features: fc.array(fc.jsonValue(), { maxLength: 70 }) }),
        ),
        (doc) => {
          for (const f of advertisedFeatures(doc)) expect(FEATURES).toContain(f)
        },
      ),
    )
  })
})

describe('transactionId with optional members left out', () => {
  const items = [{ id: 3 }, { id: 1 }] as OutboxItem[]

  it('is the id of before features existed when nothing is left out, and another when a member is', () => {
    const before = transactionId('post.eg', items, ['cert'])
    expect(transactionId('post.eg', items, ['cert'], [])).toBe(before)
    expect(transactionId('post.eg', items, ['cert'], ['sender-display'])).not.toBe(before)
    expect(transactionId('post.eg', items, ['cert'], ['sender-display'])).toBe(
      transactionId('post.eg', [...items].reverse(), ['cert'], ['sender-display']),
    )
  })
})
