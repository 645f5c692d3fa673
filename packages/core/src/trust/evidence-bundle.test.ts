import { describe, expect, it } from 'vitest'
import { encodeCanonical, decodeStrict } from '../cbor/index.js'
import { BaridError } from '../errors.js'
import {
  createEvidenceBundle,
  EVIDENCE_BUNDLE_LIMITS,
  readEvidenceBundle,
  type EvidenceBundle,
} from './evidence-bundle.js'
import { REVOCATION_LIST_LIMITS } from './revocation-list.js'

const hash = (n: number) => new Uint8Array(32).fill(n)
const bundle: EvidenceBundle = {
  records: [new Uint8Array([0xd2, 1]), new Uint8Array([0xd2, 2])],
  certificates: [new Uint8Array([0x30, 1])],
  revocationLists: [],
  log: [
    {
      record: 1,
      checkpoint: new Uint8Array([0xd2, 9]),
      proof: { index: 5, size: 9, path: [hash(1), hash(2), hash(3)] },
      cosignatures: [new Uint8Array([0xd2, 7])],
    },
  ],
}

function codeOf(f: () => unknown): string {
  try {
    f()
    return 'accepted'
  } catch (e) {
    return e instanceof BaridError ? e.code : String(e)
  }
}

describe('evidence bundles with log proofs', () => {
  it('round-trips the records’ inclusion proofs, checkpoints and cosignatures', () => {
    expect(readEvidenceBundle(createEvidenceBundle(bundle))).toEqual(bundle)
    const { log: _, ...without } = bundle
    expect(readEvidenceBundle(createEvidenceBundle(without))).toEqual(without)
  })

  it('refuses a logged record that names no record, or a malformed proof', () => {
    const m = decodeStrict(createEvidenceBundle(bundle)) as Map<string, unknown>
    const logged = (m.get('log') as Map<string, unknown>[])[0]!
    logged.set('record', 2)
    expect(codeOf(() => readEvidenceBundle(encodeCanonical(m as never)))).toBe(
      'ERR_EVIDENCE_BUNDLE_MALFORMED',
    )
    logged.set('record', 1)
    logged.set('proof', new Map([['index', 5]]))
    expect(codeOf(() => readEvidenceBundle(encodeCanonical(m as never)))).toBe(
      'ERR_EVIDENCE_BUNDLE_MALFORMED',
    )
  })
})

describe('evidence bundles with key retirement times', () => {
  const kid = (n: number) => new Uint8Array(32).fill(n)
  const retiring: EvidenceBundle = {
    ...bundle,
    retiredKeys: [
      { kid: kid(1), retired: 1_767_225_600 },
      { kid: kid(2), retired: 1_767_312_000 },
    ],
  }

  it('round-trips the retirement times, and leaves the field out when there are none', () => {
    expect(readEvidenceBundle(createEvidenceBundle(retiring))).toEqual(retiring)
    const none = createEvidenceBundle({ ...bundle, retiredKeys: [] })
    // Byte for byte the bundle of before the field: older verifiers read it unchanged.
    expect(none).toEqual(createEvidenceBundle(bundle))
    expect(readEvidenceBundle(none).retiredKeys).toBeUndefined()
  })

  it('refuses a retirement entry with a repeated or malformed key id, a bad time or extra fields', () => {
    const variants: ((e: Map<string, unknown>[]) => void)[] = [
      (e) => e[1]!.set('kid', kid(1)),
      (e) => e[0]!.set('kid', new Uint8Array(31)),
      (e) => e[0]!.set('retired', -1),
      (e) => e[0]!.set('retired', 253_402_300_800),
      (e) => e[0]!.set('retired', '2026-01-01T00:00:00Z'),
      (e) => e[0]!.set('use', 'request-signing'),
      (e) => e[0]!.delete('retired'),
    ]
    for (const change of variants) {
      const m = decodeStrict(createEvidenceBundle(retiring)) as Map<string, unknown>
      change(m.get('retired-keys') as Map<string, unknown>[])
      expect(codeOf(() => readEvidenceBundle(encodeCanonical(m as never)))).toBe(
        'ERR_EVIDENCE_BUNDLE_MALFORMED',
      )
    }
    const retiredKeys = Array.from({ length: 33 }, (_, i) => ({ kid: kid(i), retired: i }))
    const many = { ...bundle, retiredKeys }
    expect(codeOf(() => createEvidenceBundle(many))).toBe('ERR_EVIDENCE_BUNDLE_MALFORMED')
  })
})

describe('evidence bundle size limits', () => {
  const MiB = 1 << 20
  /** The error a read throws, with its code, message and details. */
  function refusal(f: () => unknown): BaridError {
    try {
      f()
    } catch (e) {
      if (e instanceof BaridError) return e
      throw e
    }
    throw new Error('accepted')
  }

  it('accepts a revocation list up to its own limit of 4 MiB, and refuses a larger one naming that limit', () => {
    expect(REVOCATION_LIST_LIMITS.maxBytes).toBe(4 * MiB)
    const largest = new Uint8Array(REVOCATION_LIST_LIMITS.maxBytes).fill(0xd2)
    const read = readEvidenceBundle(createEvidenceBundle({ ...bundle, revocationLists: [largest] }))
    expect(read.revocationLists[0]).toHaveLength(4 * MiB)
    const over = new Uint8Array(4 * MiB + 1).fill(0xd2)
    const m = decodeStrict(createEvidenceBundle(bundle)) as Map<string, unknown>
    m.set('revocations', [new Uint8Array([0xd2]), over])
    const e = refusal(() => readEvidenceBundle(encodeCanonical(m as never)))
    expect(e.code).toBe('ERR_INPUT_TOO_LARGE')
    expect(e.message).toContain('revocation list 1')
    expect(e.message).toContain('4 MiB')
    expect(e.details).toMatchObject({ limit: 'revocation-list', item: 1, maxBytes: 4 * MiB })
  })

  it('holds every revocation list at its own limit within the bundle limit, and refuses a larger bundle naming that limit', () => {
    const { maxBytes, maxRevocationLists } = EVIDENCE_BUNDLE_LIMITS
    expect(maxBytes).toBeGreaterThanOrEqual(
      maxRevocationLists * REVOCATION_LIST_LIMITS.maxBytes + 2 * MiB,
    )
    const e = refusal(() => readEvidenceBundle(new Uint8Array(maxBytes + 1)))
    expect(e.code).toBe('ERR_INPUT_TOO_LARGE')
    expect(e.message).toContain('evidence bundle limit')
    expect(e.details).toMatchObject({ limit: 'evidence-bundle', maxBytes })
  })
})
