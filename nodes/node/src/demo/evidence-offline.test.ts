/**
 * The demo's offline verification of an evidence bundle is core's `verifyEvidenceBundle`, the
 * one `barid evidence verify` uses: it checks the bundle's key retirement times and log proofs
 * too (spec 21.7), over the spec's evidence-bundle vectors.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CborKey, CborValue } from '@barid/core'
import { decodeStrict, encodeCanonical, fromHex, isBaridError } from '../core.js'
import { verifyBundleOffline } from './evidence-offline.js'

interface Vectors {
  now: number
  governanceKeys: Record<string, unknown>[]
  trustList: string
  valid: { name: string; hex: string }[]
  invalid: { name: string; hex?: string; recipe?: Recipe; reason: string }[]
}

/** A must-fail bundle too large to store (spec/vectors/README.md): a valid one, other lists. */
interface Recipe {
  base: string
  revocations: { bytes: number; fill: string }[]
}

const v = JSON.parse(
  await readFile(new URL('../../../../spec/vectors/evidence-bundle.json', import.meta.url), 'utf8'),
) as Vectors

let dir: string
let trustListFile: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-demo-offline-'))
  trustListFile = join(dir, 'trust-list.cose')
  await writeFile(trustListFile, fromHex(v.trustList))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The entry's bytes, as hex: its `hex`, or its recipe expanded. */
function hexOf(entry: Vectors['invalid'][number]): string {
  if (entry.hex !== undefined) return entry.hex
  const { base, revocations } = entry.recipe!
  const m = decodeStrict(fromHex(v.valid.find((x) => x.name === base)!.hex)) as Map<
    CborKey,
    CborValue
  >
  m.set(
    'revocations',
    revocations.map((r) => new Uint8Array(r.bytes).fill(parseInt(r.fill, 16))),
  )
  return Buffer.from(encodeCanonical(m)).toString('hex')
}

async function verify(hex: string) {
  const file = join(dir, `bundle-${hex.slice(-16)}.cbor`)
  await writeFile(file, fromHex(hex))
  return verifyBundleOffline(file, { trustListFile, governanceKeys: v.governanceKeys, now: v.now })
}

describe('the demo offline verification of an evidence bundle', () => {
  it('accepts every valid bundle of the vectors and says which records a log proof covers', async () => {
    for (const entry of v.valid) expect((await verify(entry.hex)).records).toHaveLength(3)
    const logged = await verify(v.valid.find((x) => x.name.includes('log'))!.hex)
    expect(logged.records.map((r) => r.log?.witnesses)).toEqual([
      ['digitalpost.dk'],
      undefined,
      undefined,
    ])
  })

  it('refuses every must-fail bundle of the vectors with its code, retired keys and log proofs included', async () => {
    for (const entry of v.invalid) {
      const e = await verify(hexOf(entry)).then(
        () => 'accepted',
        (e: unknown) => e,
      )
      expect(isBaridError(e) ? e.code : e, entry.name).toBe(entry.reason)
    }
  })
})
