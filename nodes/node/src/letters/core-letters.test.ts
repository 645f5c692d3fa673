import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { verifyEd25519Sync } from './core-letters.js'

const subtle = crypto.subtle
const pair = (await subtle.generateKey({ name: 'Ed25519' }, false, [
  'sign',
  'verify',
])) as CryptoKeyPair
const other = (await subtle.generateKey({ name: 'Ed25519' }, false, [
  'sign',
  'verify',
])) as CryptoKeyPair

type Bytes = Uint8Array<ArrayBuffer>

async function sign(data: Bytes): Promise<Bytes> {
  return new Uint8Array(await subtle.sign('Ed25519', pair.privateKey, data))
}

describe('verifyEd25519Sync', () => {
  it('agrees with WebCrypto on valid signatures and on any one changed byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 512 }).map((a) => new Uint8Array(a)),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        async (data, pos, mask, inSignature) => {
          const sig = await sign(data)
          expect(verifyEd25519Sync(pair.publicKey, data, sig)).toBe(true)
          const d = data.slice()
          const s = sig.slice()
          if (inSignature || d.length === 0) s[pos % s.length]! ^= mask
          else d[pos % d.length]! ^= mask
          const web = await subtle.verify('Ed25519', pair.publicKey, s, d)
          expect(web).toBe(false)
          expect(verifyEd25519Sync(pair.publicKey, d, s)).toBe(web)
        },
      ),
      { numRuns: 30 },
    )
  })

  it('rejects a signature made by another key, with the first key cached', async () => {
    const data = new Uint8Array([1, 2, 3])
    expect(verifyEd25519Sync(pair.publicKey, data, await sign(data))).toBe(true)
    const forged = new Uint8Array(await subtle.sign('Ed25519', other.privateKey, data))
    expect(verifyEd25519Sync(pair.publicKey, data, forged)).toBe(false)
    expect(verifyEd25519Sync(other.publicKey, data, forged)).toBe(true)
  })
})
