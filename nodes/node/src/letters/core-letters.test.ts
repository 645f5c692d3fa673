import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { verifySignatureSync } from './core-letters.js'

const subtle = crypto.subtle
type Bytes = Uint8Array<ArrayBuffer>

// Each algorithm with WebCrypto's parameters for it; the node's verifier must agree with these.
const ALGS = [
  { alg: 'EdDSA', gen: { name: 'Ed25519' }, use: { name: 'Ed25519' } },
  {
    alg: 'ES256',
    gen: { name: 'ECDSA', namedCurve: 'P-256' },
    use: { name: 'ECDSA', hash: 'SHA-256' },
  },
] as const

for (const { alg, gen, use } of ALGS) {
  const newPair = async () =>
    (await subtle.generateKey(gen, false, ['sign', 'verify'])) as CryptoKeyPair
  const pair = await newPair()
  const other = await newPair()
  const sign = async (data: Bytes, key = pair.privateKey): Promise<Bytes> =>
    new Uint8Array(await subtle.sign(use, key, data))

  describe(`verifySignatureSync with ${alg}`, () => {
    it('agrees with WebCrypto on valid signatures and on any one changed byte', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 512 }).map((a) => new Uint8Array(a)),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          fc.boolean(),
          async (data, pos, mask, inSignature) => {
            const sig = await sign(data)
            expect(verifySignatureSync(alg, pair.publicKey, data, sig)).toBe(true)
            const d = data.slice()
            const s = sig.slice()
            if (inSignature || d.length === 0) s[pos % s.length]! ^= mask
            else d[pos % d.length]! ^= mask
            const web = await subtle.verify(use, pair.publicKey, s, d)
            expect(web).toBe(false)
            expect(verifySignatureSync(alg, pair.publicKey, d, s)).toBe(web)
          },
        ),
        { numRuns: 30 },
      )
    })

    it('rejects a signature made by another key, with the first key cached', async () => {
      const data = new Uint8Array([1, 2, 3])
      expect(verifySignatureSync(alg, pair.publicKey, data, await sign(data))).toBe(true)
      const forged = await sign(data, other.privateKey)
      expect(verifySignatureSync(alg, pair.publicKey, data, forged)).toBe(false)
      expect(verifySignatureSync(alg, other.publicKey, data, forged)).toBe(true)
    })
  })
}
