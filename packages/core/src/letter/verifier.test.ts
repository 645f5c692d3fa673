import { KeyObject, verify } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { utf8 } from '../bytes.js'
import { directory, makeMailbox, makeSender } from '../../test/letter-fixtures.js'
import { inspectLetter } from './inspect.js'
import { sealLetter, type SealLetterOptions } from './seal.js'
import { codeOf } from '../../test/code-of.js'

// The injected signature verifier of inspectLetter, as a Node server passes it: the synchronous
// one-shot crypto.verify, which must accept and refuse exactly what WebCrypto does.
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0)
const skat = await makeSender('skat@digitalpost.dk', 'Ed25519')
const bank = await makeSender('nbe@post.eg', 'P-256', 'P-256')
const resolveSenderKey = directory([skat, bank])
const amina = await makeMailbox('amina.hassan@post.eg', ['X25519'])

let calls = 0
const nodeVerify = (
  alg: 'EdDSA' | 'ES256',
  publicKey: CryptoKey,
  data: Uint8Array,
  signature: Uint8Array,
): boolean => {
  calls++
  const key = KeyObject.from(publicKey)
  return alg === 'EdDSA'
    ? verify(null, data, key, signature)
    : verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
}

function letter(over: Partial<SealLetterOptions> = {}): SealLetterOptions {
  return {
    sender: skat.seal,
    recipients: [amina.seal],
    contentType: 'text/plain; charset=utf-8',
    lang: 'da',
    subject: 'Årsopgørelse',
    body: utf8('Din årsopgørelse er klar.'),
    now: NOW,
    ...over,
  }
}

/** The outcome of inspecting `bytes` through WebCrypto and through the injected verifier. */
async function both(bytes: Uint8Array): Promise<[string, string]> {
  const base = { resolveSenderKey, now: NOW }
  return [
    await codeOf(inspectLetter(bytes, base)),
    await codeOf(inspectLetter(bytes, { ...base, verifier: nodeVerify })),
  ]
}

function flipped(bytes: Uint8Array, at: number, mask: number): Uint8Array {
  const b = bytes.slice()
  b[at]! ^= mask
  return b
}

describe('inspectLetter with an injected signature verifier', () => {
  it('accepts a valid letter through the injected verifier, as through WebCrypto', async () => {
    const { bytes } = await sealLetter(letter())
    calls = 0
    const viaHook = await inspectLetter(bytes, {
      resolveSenderKey,
      now: NOW,
      verifier: nodeVerify,
    })
    expect(calls).toBe(1)
    const viaWebCrypto = await inspectLetter(bytes, { resolveSenderKey, now: NOW })
    expect(viaHook).toEqual(viaWebCrypto)
  })

  it('rejects every flipped byte of the letter (protected header, payload, signature) exactly as WebCrypto does', async () => {
    const { bytes } = await sealLetter(letter({ subject: 'x', body: utf8('ok') }))
    calls = 0
    for (let at = 0; at < bytes.length; at++) {
      const [web, hook] = await both(flipped(bytes, at, 0x01))
      expect(web).not.toBe('accepted')
      expect({ at, hook }).toEqual({ at, hook: web })
    }
    // The signature, the payload and most of the protected header are reached by the verifier.
    expect(calls).toBeGreaterThan(bytes.length / 2)
  })

  it('agrees with WebCrypto on random letters with any one byte changed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (body, pos, mask) => {
          const { bytes } = await sealLetter(letter({ body }))
          expect(await both(bytes)).toEqual(['accepted', 'accepted'])
          const [web, hook] = await both(flipped(bytes, pos % bytes.length, mask))
          expect(web).not.toBe('accepted')
          expect(hook).toBe(web)
        },
      ),
      { numRuns: 25 },
    )
  })

  it('verifies an ES256 letter through the injected verifier and agrees with WebCrypto on every flipped signature byte', async () => {
    const { bytes } = await sealLetter(letter({ sender: bank.seal }))
    calls = 0
    expect(await both(bytes)).toEqual(['accepted', 'accepted'])
    expect(calls).toBe(1)
    for (let at = bytes.length - 64; at < bytes.length; at++) {
      const [web, hook] = await both(flipped(bytes, at, 0x80))
      expect(web).not.toBe('accepted')
      expect({ at, hook }).toEqual({ at, hook: web })
    }
  })

  it('refuses a high-S ES256 signature before the injected verifier runs', async () => {
    const { bytes } = await sealLetter(letter({ sender: bank.seal }))
    // The signature is the last 64 bytes (r || s); n - s is the other valid signature.
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
    const s = BigInt('0x' + Buffer.from(bytes.subarray(bytes.length - 32)).toString('hex'))
    const high = Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')
    const b = bytes.slice()
    b.set(high, bytes.length - 32)
    calls = 0
    expect(await both(b)).toEqual(['ERR_LETTER_TAMPERED', 'ERR_LETTER_TAMPERED'])
    expect(calls).toBe(0)
  })

  it('rejects a valid letter when the verifier answers anything but true', async () => {
    const { bytes } = await sealLetter(letter())
    const answers = [false, Promise.resolve(false), 1 as unknown as boolean]
    for (const answer of answers) {
      const code = await codeOf(
        inspectLetter(bytes, { resolveSenderKey, now: NOW, verifier: () => answer }),
      )
      expect(code).toBe('ERR_LETTER_TAMPERED')
    }
    const throwing = () => {
      throw new Error('verifier failed')
    }
    expect(
      await codeOf(inspectLetter(bytes, { resolveSenderKey, now: NOW, verifier: throwing })),
    ).toBe('ERR_LETTER_TAMPERED')
  })

  it('refuses a resolved private key before the injected verifier runs, as WebCrypto does', async () => {
    const { bytes } = await sealLetter(letter())
    calls = 0
    const privateResolver = async () => skat.seal.signingKey
    const base = { resolveSenderKey: privateResolver, now: NOW }
    const web = await codeOf(inspectLetter(bytes, base))
    const hook = await codeOf(inspectLetter(bytes, { ...base, verifier: nodeVerify }))
    expect(web).not.toBe('accepted')
    expect(hook).toBe(web)
    expect(calls).toBe(0)
  })
})
