import { describe, expect, it } from 'vitest'
import { encodeCanonical, decodeStrict } from '../cbor/index.js'
import { BaridError } from '../errors.js'
import { createEvidenceBundle, readEvidenceBundle, type EvidenceBundle } from './evidence-bundle.js'

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
