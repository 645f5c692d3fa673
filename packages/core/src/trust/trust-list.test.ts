import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeCanonical } from '../cbor/index.js'
import { signSign1 } from '../cose/sign1.js'
import {
  DAY,
  T0,
  federation,
  governance,
  listInput,
  operatorEntry,
  signedList,
} from '../../test/trust-fixtures.js'
import { DOCUMENT_TYPE } from './document-types.js'
import { trustListPayload } from './trust-list-payload.js'
import { authorisedSigners, createTrustList, verifyTrustList } from './trust-list.js'
import { codeOf } from '../../test/code-of.js'

describe('trust list', () => {
  it('round-trips: what the governance key signs verifies to the same content', async () => {
    const f = await federation()
    const gov = await governance()
    const bytes = await signedList(f, gov)
    const list = await verifyTrustList(bytes, { governanceKeys: [gov.publicJwk], now: T0 })
    expect(list.sequence).toBe(1)
    expect(list.operators.map((o) => o.id)).toEqual(['digitalpost.dk', 'post.eg'])
    expect(list.operators[1]?.names.ar).toBe('بريد')
    expect(list.signer.kidBase64Url).toBe(gov.kidBase64Url)
    expect(list.bytes).toBe(bytes)
  })

  it('counts a display name in characters, not UTF-16 units: 200 hieroglyphs are a name, 201 are not', async () => {
    const f = await federation()
    const gov = await governance()
    const named = (n: number) =>
      signedList(f, gov, {
        operators: [operatorEntry(f.eg, { names: { ar: 'بريد', da: 'Post', en: '𓂀'.repeat(n) } })],
      })
    const list = await verifyTrustList(await named(200), { governanceKeys: [gov.publicJwk], now: T0 })
    expect([...list.operators[0]!.names.en].length).toBe(200)
    expect(await codeOf(named(201))).toBe('ERR_INVALID_ARGUMENT')
  })

  it('rejects a list in which any single byte was changed', async () => {
    const f = await federation()
    const gov = await governance()
    const bytes = await signedList(f, gov)
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (i, x) => {
          const t = bytes.slice()
          t[i] = (t[i] as number) ^ x
          const code = await codeOf(
            verifyTrustList(t, { governanceKeys: [gov.publicJwk], now: T0 }),
          )
          expect(code).not.toBe('accepted')
          expect(code).not.toMatch(/^not a BaridError/)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('refuses a list signed by a key that is not a governance key', async () => {
    const f = await federation()
    const gov = await governance()
    const other = await governance()
    const bytes = await signedList(f, other)
    expect(await codeOf(verifyTrustList(bytes, { governanceKeys: [gov.publicJwk], now: T0 }))).toBe(
      'ERR_TRUST_LIST_SIGNER_UNKNOWN',
    )
  })

  it('refuses governance keys that are not JWKs or key handles as the callers mistake', async () => {
    const f = await federation()
    const gov = await governance()
    const bytes = await signedList(f, gov)
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.constant(null),
          fc.integer(),
          fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
        ),
        fc.boolean(),
        async (junk, asList) => {
          const governanceKeys = (asList ? [gov.publicJwk, junk] : junk) as never
          expect(await codeOf(verifyTrustList(bytes, { governanceKeys, now: T0 }))).toBe(
            'ERR_INVALID_ARGUMENT',
          )
        },
      ),
      { numRuns: 100 },
    )
  })

  it('refuses a list whose payload does not name its own signer as a governance key', async () => {
    const f = await federation()
    const gov = await governance()
    const other = await governance()
    const payload = trustListPayload({
      ...listInput(f, { operators: [operatorEntry(f.eg)] }),
      governanceKeys: [other],
    })
    const bytes = await signSign1({
      payload: encodeCanonical(payload),
      key: gov.privateKey,
      protectedHeader: new Map<number, Uint8Array | string>([
        [4, gov.kid],
        [16, DOCUMENT_TYPE.trustList],
      ]),
    })
    expect(await codeOf(verifyTrustList(bytes, { governanceKeys: [gov.publicJwk], now: T0 }))).toBe(
      'ERR_TRUST_LIST_SIGNER_UNKNOWN',
    )
  })

  it('refuses a lower sequence number than the list held (rollback)', async () => {
    const f = await federation()
    const gov = await governance()
    const keys = [gov.publicJwk]
    const held = await verifyTrustList(await signedList(f, gov, { sequence: 5 }), {
      governanceKeys: keys,
      now: T0,
    })
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), async (seq) => {
        const older = await signedList(f, gov, { sequence: seq })
        expect(
          await codeOf(verifyTrustList(older, { governanceKeys: keys, current: held, now: T0 })),
        ).toBe('ERR_TRUST_LIST_ROLLBACK')
      }),
      { numRuns: 4 },
    )
  })

  it('refuses a sequence below minSequence when re-bootstrapping without a held list', async () => {
    const f = await federation()
    const gov = await governance()
    const bytes = await signedList(f, gov, { sequence: 3 })
    expect(
      await codeOf(
        verifyTrustList(bytes, { governanceKeys: [gov.publicJwk], minSequence: 4, now: T0 }),
      ),
    ).toBe('ERR_TRUST_LIST_ROLLBACK')
  })

  it('accepts the held list again, and refuses different content under the same sequence', async () => {
    const f = await federation()
    const gov = await governance()
    const keys = [gov.publicJwk]
    const bytes = await signedList(f, gov, { sequence: 2 })
    const held = await verifyTrustList(bytes, { governanceKeys: keys, now: T0 })
    expect(
      await verifyTrustList(bytes.slice(), { governanceKeys: keys, current: held, now: T0 }),
    ).toBe(held)
    const twin = await signedList(f, gov, { sequence: 2, nextUpdate: T0 + 2 * DAY })
    expect(
      await codeOf(verifyTrustList(twin, { governanceKeys: keys, current: held, now: T0 })),
    ).toBe('ERR_TRUST_LIST_CONFLICT')
  })

  it('accepts a newer list and refuses one issued before the held list', async () => {
    const f = await federation()
    const gov = await governance()
    const keys = [gov.publicJwk]
    const held = await verifyTrustList(await signedList(f, gov, { sequence: 2, issued: T0 }), {
      governanceKeys: keys,
      now: T0,
    })
    const next = await verifyTrustList(await signedList(f, gov, { sequence: 3, issued: T0 + 10 }), {
      governanceKeys: keys,
      current: held,
      now: T0 + 10,
    })
    expect(next.sequence).toBe(3)
    const backdated = await signedList(f, gov, { sequence: 4, issued: T0 - 10 })
    expect(
      await codeOf(verifyTrustList(backdated, { governanceKeys: keys, current: held, now: T0 })),
    ).toBe('ERR_TRUST_LIST_ROLLBACK')
  })

  it('refuses a list issued further in the future than the clock skew allows', async () => {
    const f = await federation()
    const gov = await governance()
    const bytes = await signedList(f, gov, { issued: T0 + 301, nextUpdate: T0 + DAY })
    expect(await codeOf(verifyTrustList(bytes, { governanceKeys: [gov.publicJwk], now: T0 }))).toBe(
      'ERR_TRUST_LIST_NOT_YET_VALID',
    )
    expect(
      await codeOf(verifyTrustList(bytes, { governanceKeys: [gov.publicJwk], now: T0 + 1 })),
    ).toBe('accepted')
  })

  it('follows a governance key rollover announced by the outgoing key, then retires the outgoing key', async () => {
    const f = await federation()
    const k1 = await governance()
    const k2 = await governance()
    const anchors = [k1.publicJwk]
    const announce = await verifyTrustList(await signedList(f, k1, { sequence: 1, rollover: k2 }), {
      governanceKeys: anchors,
      now: T0,
    })
    expect(authorisedSigners(announce).map((k) => k.kidBase64Url)).toEqual([
      k1.kidBase64Url,
      k2.kidBase64Url,
    ])
    const switched = await verifyTrustList(
      await signedList(f, k2, { sequence: 2, issued: T0 + 1, governanceKeys: [k2] }),
      { governanceKeys: anchors, current: announce, now: T0 + 1 },
    )
    expect(switched.signer.kidBase64Url).toBe(k2.kidBase64Url)
    // K1 is still the configured anchor, but the held list no longer authorises it.
    const byOld = await signedList(f, k1, { sequence: 3, issued: T0 + 2 })
    expect(
      await codeOf(
        verifyTrustList(byOld, { governanceKeys: anchors, current: switched, now: T0 + 2 }),
      ),
    ).toBe('ERR_TRUST_LIST_SIGNER_RETIRED')
  })

  it('refuses a key the held list did not announce, even when it signs a newer list', async () => {
    const f = await federation()
    const k1 = await governance()
    const k2 = await governance()
    const held = await verifyTrustList(await signedList(f, k1), {
      governanceKeys: [k1.publicJwk],
      now: T0,
    })
    const bytes = await signedList(f, k2, { sequence: 2, governanceKeys: [k2] })
    expect(
      await codeOf(
        verifyTrustList(bytes, { governanceKeys: [k1.publicJwk], current: held, now: T0 }),
      ),
    ).toBe('ERR_TRUST_LIST_SIGNER_UNKNOWN')
  })

  it('will not create a list that breaks the format, naming the problem', async () => {
    const f = await federation()
    const gov = await governance()
    const cases: Parameters<typeof listInput>[1][] = [
      { operators: [operatorEntry(f.eg, { country: 'eg' })] },
      { operators: [operatorEntry(f.eg, { endpoints: ['https://barid.post.eg'] })] },
      { operators: [operatorEntry(f.eg, { endpoints: ['ftp://barid.post.eg/'] })] },
      { operators: [operatorEntry(f.eg, { endpoints: ['http://barid.post.eg/'] })] },
      { operators: [operatorEntry(f.eg, { status: [{ state: 'suspended', from: T0 }] })] },
      {
        operators: [
          operatorEntry(f.eg, {
            status: [
              { state: 'active', from: T0 },
              { state: 'withdrawn', from: T0 },
            ],
          }),
        ],
      },
      { operators: [operatorEntry(f.eg), operatorEntry(f.eg)] },
      { operators: [operatorEntry({ ...f.eg, id: 'Post.EG' })] },
      { nextUpdate: T0 },
      { federation: '' },
    ]
    for (const c of cases) {
      expect(await codeOf(createTrustList(listInput(f, c), gov)), JSON.stringify(c)).toBe(
        'ERR_INVALID_ARGUMENT',
      )
    }
  })

  it('allows plain http endpoints on loopback only', async () => {
    const f = await federation()
    const gov = await governance()
    const bytes = await signedList(f, gov, {
      operators: [operatorEntry(f.eg, { endpoints: ['http://127.0.0.1:8401/'] })],
    })
    const list = await verifyTrustList(bytes, { governanceKeys: [gov.publicJwk], now: T0 })
    expect(list.operators[0]?.endpoints).toEqual(['http://127.0.0.1:8401/'])
  })

  it('refuses a list that files an operator CA under another operator than the one it names', async () => {
    const f = await federation()
    const gov = f.governance
    const swapped = [operatorEntry(f.eg, { cas: [{ cert: f.dk.ca.der }] })]
    const code = await codeOf(createTrustList(listInput(f, { operators: swapped }), gov))
    expect(code).toBe('ERR_CERT_OPERATOR_MISMATCH')
  })

  it('refuses a list whose operator CA was not issued by a listed federation root', async () => {
    const f = await federation()
    const rogue = [operatorEntry(f.eg, { cas: [{ cert: f.rogue.ca.der }] })]
    expect(await codeOf(createTrustList(listInput(f, { operators: rogue }), f.governance))).toBe(
      'ERR_CERT_UNTRUSTED',
    )
  })

  it('refuses a list that lists a node certificate as an operator CA, or a CA as a root', async () => {
    const f = await federation()
    const nodeAsCa = [operatorEntry(f.eg, { cas: [{ cert: f.eg.node.der }] })]
    expect(await codeOf(createTrustList(listInput(f, { operators: nodeAsCa }), f.governance))).toBe(
      'ERR_CERT_PROFILE',
    )
    expect(
      await codeOf(createTrustList(listInput(f, { roots: [f.eg.ca.der] }), f.governance)),
    ).toBe('ERR_CERT_PROFILE')
  })
})
