import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, sha256, toHex } from '../bytes.js'
import { ReferenceTree, nodeSha256 } from '../../test/transparency-reference.js'
import { EMPTY_ROOT, leafHash, nodeHash } from './hash.js'
import { openLog } from './log.js'
import { createMemoryLogStore } from './store.js'
import { verifyConsistency, verifyInclusion } from './verify-proof.js'

// The Certificate Transparency reference leaves and roots for sizes 0..8, with the inclusion and
// consistency proofs published beside them (RFC 6962 test data, as in transparency-dev/merkle
// testonly/constants.go). Used as known answers: a second, independent implementation's output.
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(fromHex)
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
]
const CT_INCLUSION = [
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
]
const CT_CONSISTENCY = [
  {
    first: 2,
    second: 8,
    path: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    first: 6,
    second: 8,
    path: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
]

describe('RFC 9162 hashing', () => {
  it('prefixes leaves with 0x00 and nodes with 0x01', async () => {
    const leaf = fromHex('0102')
    expect(await leafHash(leaf)).toEqual(await sha256(fromHex('000102')))
    const l = new Uint8Array(32).fill(7)
    const r = new Uint8Array(32).fill(9)
    expect(await nodeHash(l, r)).toEqual(await sha256(Uint8Array.of(1, ...l, ...r)))
  })

  it('has the SHA-256 of the empty string as the empty-tree root', () => {
    expect(toHex(EMPTY_ROOT)).toBe(CT_ROOTS[0])
  })

  it('gives the Certificate Transparency reference root for every size 0 to 8', async () => {
    const log = await openLog({ store: createMemoryLogStore() })
    expect(toHex(await log.root())).toBe(CT_ROOTS[0])
    for (const leaf of CT_LEAVES) {
      const { size, root } = await log.append([leaf])
      expect(toHex(root), `size ${size}`).toBe(CT_ROOTS[size])
    }
    for (let s = 0; s <= 8; s++) expect(toHex(await log.root(s))).toBe(CT_ROOTS[s])
  })

  it('produces and accepts the published inclusion and consistency proofs', async () => {
    const log = await openLog({ store: createMemoryLogStore() })
    await log.append(CT_LEAVES)
    for (const v of CT_INCLUSION) {
      const p = await log.inclusionProof(v.index, v.size)
      expect(p.path.map(toHex)).toEqual(v.path)
      const claim = {
        leafHash: await leafHash(CT_LEAVES[v.index]!),
        index: v.index,
        size: v.size,
        path: v.path.map(fromHex),
        root: fromHex(CT_ROOTS[v.size]!),
      }
      await expect(verifyInclusion(claim)).resolves.toBeUndefined()
    }
    for (const v of CT_CONSISTENCY) {
      const p = await log.consistencyProof(v.first, v.second)
      expect(p.path.map(toHex)).toEqual(v.path)
      const claim = {
        first: v.first,
        second: v.second,
        firstRoot: fromHex(CT_ROOTS[v.first]!),
        secondRoot: fromHex(CT_ROOTS[v.second]!),
        path: v.path.map(fromHex),
      }
      await expect(verifyConsistency(claim)).resolves.toBeUndefined()
    }
  })

  it('agrees with the naive recursive MTH of the test reference on the reference leaves', () => {
    const ref = new ReferenceTree(CT_LEAVES)
    for (let s = 0; s <= 8; s++) expect(toHex(ref.mth(0, s))).toBe(CT_ROOTS[s])
  })

  it('gives the same hashes with an injected synchronous SHA-256 as with WebCrypto', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 100 }), async (leaf) => {
        expect(await leafHash(leaf, { sha256: nodeSha256 })).toEqual(await leafHash(leaf))
      }),
      { numRuns: 50 },
    )
  })
})
