import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isBaridError } from '../core.js'
import { MAX_LOOKUP_KEYS, readPeerLookup } from './peer-lookup.js'

const jwk = { kty: 'OKP', crv: 'X25519', x: 'AA' }
const key = { kid: 'k1', use: 'enc', jwk, certificate: 'MII' }
const active = { status: 'active', address: 'karen.holm@digitalpost.dk', keys: [key] }

describe("a peer's lookup answer (spec 11.6)", () => {
  it('relays an active answer with its keys, and a paper one as paper', () => {
    expect(readPeerLookup(active, 'digitalpost.dk')).toEqual({
      ...active,
      operator: 'digitalpost.dk',
    })
    expect(readPeerLookup({ ...active, delivery: 'paper' }, 'digitalpost.dk')).toMatchObject({
      delivery: 'paper',
    })
    expect(readPeerLookup({ status: 'exempt' }, 'digitalpost.dk')).toEqual({
      status: 'exempt',
      operator: 'digitalpost.dk',
    })
  })

  it('relays an active answer with no keys as it is, for the sender to refuse as ERR_KEY_NOT_FOUND', () => {
    expect(readPeerLookup({ ...active, keys: [] }, 'digitalpost.dk')).toEqual({
      ...active,
      operator: 'digitalpost.dk',
      keys: [],
    })
  })

  it('keeps the order of the keys, newest registration first, when it cuts them', () => {
    const many = Array.from({ length: 70 }, (_, i) => ({ ...key, kid: `k${i}` }))
    const r = readPeerLookup({ ...active, keys: many }, 'digitalpost.dk')
    expect(r.status === 'active' && r.keys.map((k) => k.kid)).toEqual(
      many.slice(0, MAX_LOOKUP_KEYS).map((k) => k.kid),
    )
  })

  it('refuses as the peer unavailable an answer about another operator, or ill-typed, never as unknown', () => {
    for (const bad of [
      null,
      [],
      'active',
      { status: 'maybe' },
      { ...active, address: 'karen.holm@post.eg' },
      { ...active, address: 'not an address' },
      { ...active, keys: undefined },
      { ...active, keys: { 0: key } },
      { ...active, keys: [{ ...key, use: 'both' }] },
      { ...active, keys: [{ ...key, jwk: 'x' }] },
      { ...active, keys: [{ ...key, certificate: 'x'.repeat(20_000) }] },
      { ...active, delivery: 'pigeon' },
    ])
      expect(() => readPeerLookup(bad, 'digitalpost.dk')).toThrow(
        expect.objectContaining({ code: 'ERR_PEER_UNAVAILABLE' }),
      )
  })

  it('relays at most MAX_LOOKUP_KEYS keys', () => {
    const many = { ...active, keys: Array.from({ length: 200 }, () => key) }
    const r = readPeerLookup(many, 'digitalpost.dk')
    expect(r.status === 'active' && r.keys.length).toBe(MAX_LOOKUP_KEYS)
  })

  it('answers any JSON value, answer-shaped or not, with a result or ERR_PEER_UNAVAILABLE', () => {
    const shaped = fc.record(
      {
        status: fc.oneof(fc.constantFrom('active', 'exempt', 'unknown'), fc.jsonValue()),
        address: fc.oneof(fc.constant(active.address), fc.jsonValue()),
        keys: fc.oneof(
          fc.array(fc.dictionary(fc.constantFrom(...Object.keys(key)), fc.jsonValue())),
          fc.jsonValue(),
        ),
        delivery: fc.oneof(fc.constant('paper'), fc.jsonValue()),
      },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), shaped), (v) => {
        try {
          const r = readPeerLookup(v, 'digitalpost.dk')
          expect(r.operator).toBe('digitalpost.dk')
        } catch (e) {
          expect(isBaridError(e, 'ERR_PEER_UNAVAILABLE')).toBe(true)
        }
      }),
    )
  })
})
