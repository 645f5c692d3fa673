import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesEqual, toHex, utf8 } from '../bytes.js'
import { encodeCanonical, type CborKey, type CborValue } from '../cbor/index.js'
import { encryptCose } from '../cose/encrypt.js'
import { signSign1 } from '../cose/sign1.js'
import {
  directory,
  forge,
  letterParts,
  makeMailbox,
  makeSender,
  type TestMailbox,
} from '../../test/letter-fixtures.js'
import { agreementKey } from '../../test/keys.js'
import { inspectLetter, letterDigest } from './inspect.js'
import { openLetter } from './open.js'
import { sealLetter, type SealAttachment, type SealLetterOptions } from './seal.js'
import { codeOf } from '../../test/code-of.js'

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0)
const skat = await makeSender('skat@digitalpost.dk', 'Ed25519')
const bank = await makeSender('nbe@post.eg', 'P-256', 'P-256')
const mallory = await makeSender('mallory@post.eg', 'Ed25519')
const resolveSenderKey = directory([skat, bank, mallory])
const mailboxes: TestMailbox[] = await Promise.all([
  makeMailbox('amina.hassan@post.eg', ['X25519']),
  makeMailbox('lars.jensen@digitalpost.dk', ['P-256']),
  makeMailbox('omar.said@post.eg', ['X25519', 'P-256']),
  makeMailbox('mette.holm@digitalpost.dk', ['P-256', 'X25519']),
  makeMailbox('youssef@post.eg', ['X25519']),
])
const [amina, lars] = mailboxes as [TestMailbox, TestMailbox]

function baseLetter(over: Partial<SealLetterOptions> = {}): SealLetterOptions {
  return {
    sender: skat.seal,
    recipients: [amina.seal],
    contentType: 'text/plain; charset=utf-8',
    lang: 'da',
    subject: 'Årsopgørelse 2024',
    body: utf8('Din årsopgørelse er klar.'),
    now: NOW,
    ...over,
  }
}

const attachmentArb: fc.Arbitrary<SealAttachment> = fc.record({
  id: fc.stringMatching(/^[a-z0-9]{1,12}$/),
  key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  filename: fc.constantFrom('تقرير.pdf', 'faktura.pdf', 'scan 01.png', 'brev.txt'),
  mediaType: fc.constantFrom('application/pdf', 'image/png', 'text/plain; charset=utf-8'),
  size: fc.integer({ min: 0, max: 85_899_345_926 }),
  sha256: fc.uint8Array({ minLength: 32, maxLength: 32 }),
})

describe('sealed letter: seal, inspect, open', () => {
  it("opens for every recipient key and the sender's own key, for any body, attachments and 1 to 5 recipients", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(skat, bank),
        fc.uint8Array({ maxLength: 2048 }),
        fc.uniqueArray(attachmentArb, { maxLength: 3, selector: (a) => a.id }),
        fc.subarray(mailboxes, { minLength: 1 }),
        fc.constantFrom<'letter' | 'registered'>('letter', 'registered'),
        async (sender, body, attachments, to, kind) => {
          const sealed = await sealLetter(
            baseLetter({
              sender: sender.seal,
              body,
              attachments,
              recipients: to.map((m) => m.seal),
              kind,
            }),
          )
          expect(toHex(sealed.digest)).toBe(toHex(await letterDigest(sealed.bytes)))
          const seen = await inspectLetter(sealed.bytes, { resolveSenderKey, now: NOW })
          expect(seen.header).toEqual(sealed.header)
          expect(seen.id).toBe(sealed.id)
          expect(seen.signer.alg).toBe(sender === skat ? 'EdDSA' : 'ES256')
          expect(seen.header.recipients).toEqual(to.map((m) => m.address))
          expect(toHex(seen.digest)).toBe(toHex(sealed.digest))
          // A caller's own SHA-256 (a server's synchronous one) gives the same digest.
          const hashed: Uint8Array[] = []
          const own = await inspectLetter(sealed.bytes, {
            resolveSenderKey,
            now: NOW,
            sha256: (b) => {
              hashed.push(b)
              return letterDigest(b)
            },
          })
          expect(hashed).toEqual([sealed.bytes])
          expect(toHex(own.digest)).toBe(toHex(sealed.digest))
          const openers = [
            ...to.flatMap((m) => m.keys.map((k) => ({ k, address: m.address }))),
            { k: sender.encryption, address: sender.address },
          ]
          expect(seen.recipientKids.map(toHex)).toEqual(openers.map((o) => toHex(o.k.kid)))
          for (const { k, address } of openers) {
            const opened = await openLetter(sealed.bytes, {
              key: { privateKey: k.privateKey, kid: k.kid },
              address,
              resolveSenderKey,
              now: NOW,
            })
            expect(toHex(opened.body)).toBe(toHex(body))
            expect(opened.subject).toBe('Årsopgørelse 2024')
            expect(opened.header).toEqual(sealed.header)
            expect(opened.attachments).toEqual(
              attachments.map((a) => ({
                id: a.id,
                size: a.size,
                sha256: a.sha256,
                key: a.key,
                filename: a.filename,
                mediaType: a.mediaType,
              })),
            )
          }
        },
      ),
      { numRuns: 8 },
    )
  })

  it('refuses a key the letter is not encrypted to, and a mailbox it is not addressed to', async () => {
    const sealed = await sealLetter(baseLetter())
    const k = lars.keys[0]!
    expect(
      await codeOf(
        openLetter(sealed.bytes, {
          key: { privateKey: k.privateKey, kid: k.kid },
          resolveSenderKey,
          now: NOW,
        }),
      ),
    ).toBe('ERR_NOT_A_RECIPIENT')
    const a = amina.keys[0]!
    const asLars = openLetter(sealed.bytes, {
      key: { privateKey: a.privateKey, kid: a.kid },
      address: lars.address,
      resolveSenderKey,
      now: NOW,
    })
    expect(await codeOf(asLars)).toBe('ERR_NOT_A_RECIPIENT')
  })

  it("refuses a key on another curve offered under a recipient's kid", async () => {
    const sealed = await sealLetter(baseLetter())
    const wrong = await agreementKey('P-256')
    expect(
      await codeOf(
        openLetter(sealed.bytes, {
          key: { privateKey: wrong.privateKey, kid: amina.keys[0]!.kid },
          resolveSenderKey,
          now: NOW,
        }),
      ),
    ).toBe('ERR_KEY_INVALID')
    const other = await agreementKey('X25519')
    expect(
      await codeOf(
        openLetter(sealed.bytes, {
          key: { privateKey: other.privateKey, kid: amina.keys[0]!.kid },
          resolveSenderKey,
          now: NOW,
        }),
      ),
    ).toBe('ERR_LETTER_TAMPERED')
  })

  it('answers every single-bit change of a sealed letter with a BaridError, never success', async () => {
    const sealed = await sealLetter(baseLetter({ body: utf8('x'), subject: undefined }))
    const a = amina.keys[0]!
    const codes = new Set<string>()
    const flip = (i: number): Uint8Array => {
      const t = sealed.bytes.slice()
      t[i >> 3]! ^= 1 << (i & 7)
      return t
    }
    const bits = Array.from({ length: sealed.bytes.length * 8 }, (_, i) => i)
    // Batches keep WebCrypto's thread pool busy; every bit is still tried.
    for (let start = 0; start < bits.length; start += 64) {
      await Promise.all(
        bits.slice(start, start + 64).map(async (i) => {
          const code = await codeOf(inspectLetter(flip(i), { resolveSenderKey, now: NOW }))
          expect(code, `inspect, bit ${i}`).toMatch(/^ERR_/)
          codes.add(code)
          if (i % 16 === 0) {
            const opened = await codeOf(
              openLetter(flip(i), {
                key: { privateKey: a.privateKey, kid: a.kid },
                resolveSenderKey,
                now: NOW,
              }),
            )
            expect(opened, `open, bit ${i}`).toMatch(/^ERR_/)
          }
        }),
      )
    }
    expect(codes.has('ERR_LETTER_TAMPERED')).toBe(true)
    expect(codes.has('ERR_LETTER_MALFORMED')).toBe(true)
  })

  it('answers random bytes and mangled letters with BaridErrors only', async () => {
    const sealed = await sealLetter(baseLetter())
    const a = amina.keys[0]!
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.uint8Array({ maxLength: 300 }).map((b) => Uint8Array.of(0xd2, 0x84, ...b)),
          fc.nat(sealed.bytes.length - 1).map((n) => sealed.bytes.slice(0, n)),
          fc
            .tuple(fc.nat(sealed.bytes.length), fc.uint8Array({ minLength: 1, maxLength: 8 }))
            .map(([n, ins]) =>
              Uint8Array.from([...sealed.bytes.slice(0, n), ...ins, ...sealed.bytes.slice(n)]),
            ),
        ),
        async (b) => {
          expect(await codeOf(inspectLetter(b, { resolveSenderKey, now: NOW }))).toMatch(/^ERR_/)
          expect(
            await codeOf(
              openLetter(b, {
                key: { privateKey: a.privateKey, kid: a.kid },
                resolveSenderKey,
                now: NOW,
              }),
            ),
          ).toMatch(/^ERR_/)
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('sealed letter: attacks', () => {
  it("defeats re-signing: a letter whose signature is replaced by another sender's fails to decrypt", async () => {
    const sealed = await sealLetter(baseLetter())
    const resigned = await forge(sealed.bytes, mallory.signing.privateKey, (p, h) => {
      p.set(4, mallory.signing.kid)
      h.set('from', mallory.address)
    })
    // To an operator it is a well-formed letter from Mallory...
    const seen = await inspectLetter(resigned, { resolveSenderKey, now: NOW })
    expect(seen.header.sender).toBe(mallory.address)
    // ...but the content was bound to Skat's header, so the recipient cannot be fooled.
    const a = amina.keys[0]!
    expect(
      await codeOf(
        openLetter(resigned, {
          key: { privateKey: a.privateKey, kid: a.kid },
          resolveSenderKey,
          now: NOW,
        }),
      ),
    ).toBe('ERR_LETTER_TAMPERED')
  })

  it("refuses a signature by another key under the original sender, or a kid that is not the sender's", async () => {
    const sealed = await sealLetter(baseLetter())
    const sameHeader = await forge(sealed.bytes, mallory.signing.privateKey, () => {})
    expect(await codeOf(inspectLetter(sameHeader, { resolveSenderKey, now: NOW }))).toBe(
      'ERR_LETTER_TAMPERED',
    )
    const malloryKid = await forge(sealed.bytes, mallory.signing.privateKey, (p) =>
      p.set(4, mallory.signing.kid),
    )
    expect(await codeOf(inspectLetter(malloryKid, { resolveSenderKey, now: NOW }))).toBe(
      'ERR_SENDER_MISMATCH',
    )
  })

  it('defeats surreptitious forwarding: a recipient re-signing the letter to a new recipient cannot change who it was for', async () => {
    const sealed = await sealLetter(baseLetter())
    const forwarded = await forge(sealed.bytes, mallory.signing.privateKey, (p, h) => {
      p.set(4, mallory.signing.kid)
      h.set('from', mallory.address)
      h.set('to', [lars.address])
    })
    const a = amina.keys[0]!
    expect(
      await codeOf(
        openLetter(forwarded, {
          key: { privateKey: a.privateKey, kid: a.kid },
          resolveSenderKey,
          now: NOW,
        }),
      ),
    ).toBe('ERR_LETTER_TAMPERED')
  })

  it('refuses a content key that does not match the signed key commitment (invisible salamanders)', async () => {
    // A malicious sender commits to one CEK but encrypts under another.
    const cek = new Uint8Array(32).fill(1)
    const sealed = await sealLetter(baseLetter({ random: { cek } }))
    const parts = letterParts(sealed.bytes)
    const a = amina.keys[0]!
    const payload = await encryptCose({
      plaintext: encodeCanonical(
        new Map<CborKey, CborValue>([
          ['body', utf8('other')],
          ['att', []],
        ]),
      ),
      cek: new Uint8Array(32).fill(2),
      externalAad: parts.protectedBytes,
      recipients: [{ publicKey: a.publicKey, kid: a.kid }],
    })
    const forged = await signSign1({
      payload,
      key: skat.signing.privateKey,
      protectedHeader: parts.protectedBytes,
    })
    await inspectLetter(forged, { resolveSenderKey, now: NOW })
    expect(
      await codeOf(
        openLetter(forged, {
          key: { privateKey: a.privateKey, kid: a.kid },
          resolveSenderKey,
          now: NOW,
        }),
      ),
    ).toBe('ERR_LETTER_TAMPERED')
  })

  it("refuses a letter whose content lists attachments other than the header's", async () => {
    const cek = new Uint8Array(32).fill(3)
    const sealed = await sealLetter(baseLetter({ random: { cek } }))
    const parts = letterParts(sealed.bytes)
    const a = amina.keys[0]!
    const extra = new Map<CborKey, CborValue>([
      ['id', 'x'],
      ['key', new Uint8Array(32)],
      ['name', 'x.pdf'],
      ['type', 'application/pdf'],
    ])
    const payload = await encryptCose({
      plaintext: encodeCanonical(
        new Map<CborKey, CborValue>([
          ['body', utf8('b')],
          ['att', [extra]],
        ]),
      ),
      cek,
      externalAad: parts.protectedBytes,
      recipients: [{ publicKey: a.publicKey, kid: a.kid }],
    })
    const forged = await signSign1({
      payload,
      key: skat.signing.privateKey,
      protectedHeader: parts.protectedBytes,
    })
    expect(
      await codeOf(
        openLetter(forged, {
          key: { privateKey: a.privateKey, kid: a.kid },
          resolveSenderKey,
          now: NOW,
        }),
      ),
    ).toBe('ERR_LETTER_MALFORMED')
  })

  it('refuses unknown header fields, another version, an unknown sender key and unprotected parameters', async () => {
    const sealed = await sealLetter(baseLetter())
    const k = skat.signing.privateKey
    const extra = await forge(sealed.bytes, k, (_p, h) => h.set('note', 'x'))
    expect(await codeOf(inspectLetter(extra, { resolveSenderKey, now: NOW }))).toBe(
      'ERR_LETTER_MALFORMED',
    )
    const v2 = await forge(sealed.bytes, k, (_p, h) => h.set('v', 2))
    expect(await codeOf(inspectLetter(v2, { resolveSenderKey, now: NOW }))).toBe(
      'ERR_UNSUPPORTED_VERSION',
    )
    const label = await forge(sealed.bytes, k, (p) => p.set(99, 1))
    expect(await codeOf(inspectLetter(label, { resolveSenderKey, now: NOW }))).toBe(
      'ERR_LETTER_MALFORMED',
    )
    const crit = await forge(sealed.bytes, k, (p) => {
      p.set(2, [-65537, 99])
      p.set(99, 1)
    })
    expect(await codeOf(inspectLetter(crit, { resolveSenderKey, now: NOW }))).toBe(
      'ERR_COSE_CRITICAL_UNKNOWN',
    )
    const stranger = await makeSender(skat.address, 'Ed25519')
    const unknown = await forge(sealed.bytes, stranger.signing.privateKey, (p) =>
      p.set(4, stranger.signing.kid),
    )
    expect(await codeOf(inspectLetter(unknown, { resolveSenderKey, now: NOW }))).toBe(
      'ERR_KEY_NOT_FOUND',
    )
  })
})

describe('sealed letter: time and limits', () => {
  it('refuses an expired letter to operators but lets the recipient read it later', async () => {
    const sealed = await sealLetter(baseLetter({ expires: NOW / 1000 + 60 }))
    const later = NOW + 3_600_000
    expect(await codeOf(inspectLetter(sealed.bytes, { resolveSenderKey, now: later }))).toBe(
      'ERR_LETTER_EXPIRED',
    )
    const a = amina.keys[0]!
    await openLetter(sealed.bytes, {
      key: { privateKey: a.privateKey, kid: a.kid },
      resolveSenderKey,
      now: later,
    })
    expect(
      await codeOf(
        openLetter(sealed.bytes, {
          key: { privateKey: a.privateKey, kid: a.kid },
          resolveSenderKey,
          now: later,
          checkExpiry: true,
        }),
      ),
    ).toBe('ERR_LETTER_EXPIRED')
  })

  it("refuses a letter created further ahead of the reader's clock than the skew allows", async () => {
    const sealed = await sealLetter(baseLetter({ now: NOW + 3_600_000 }))
    expect(await codeOf(inspectLetter(sealed.bytes, { resolveSenderKey, now: NOW }))).toBe(
      'ERR_LETTER_CLOCK_SKEW',
    )
    await inspectLetter(sealed.bytes, { resolveSenderKey, now: NOW, clockSkew: 7200 })
    // A device's clock is no reason to hide a delivered letter from its recipient.
    const a = amina.keys[0]!
    const key = { privateKey: a.privateKey, kid: a.kid }
    await openLetter(sealed.bytes, { key, resolveSenderKey, now: NOW })
    expect(
      await codeOf(openLetter(sealed.bytes, { key, resolveSenderKey, now: NOW, clockSkew: 300 })),
    ).toBe('ERR_LETTER_CLOCK_SKEW')
  })

  it("refuses a letter over the reader's size limit before decoding", async () => {
    const sealed = await sealLetter(baseLetter({ body: new Uint8Array(5000) }))
    expect(
      await codeOf(inspectLetter(sealed.bytes, { resolveSenderKey, now: NOW, maxBytes: 4096 })),
    ).toBe('ERR_INPUT_TOO_LARGE')
  })

  it("refuses to seal what breaks the format's rules, with typed errors", async () => {
    const seal = (o: Partial<SealLetterOptions>) => codeOf(sealLetter(baseLetter(o)))
    expect(await seal({ recipients: [] })).toBe('ERR_INVALID_ARGUMENT')
    expect(
      await seal({ recipients: [amina.seal, { ...amina.seal, address: 'Amina.Hassan@post.eg' }] }),
    ).toBe('ERR_INVALID_ARGUMENT')
    expect(await seal({ recipients: [amina.seal, { ...lars.seal, keys: amina.seal.keys }] })).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    expect(await seal({ recipients: [{ address: 'nobody', keys: amina.seal.keys }] })).toBe(
      'ERR_ADDRESS_INVALID',
    )
    expect(await seal({ contentType: 'pdf' })).toBe('ERR_INVALID_ARGUMENT')
    expect(await seal({ lang: 'english language' })).toBe('ERR_INVALID_ARGUMENT')
    expect(await seal({ subject: 'two\nlines' })).toBe('ERR_INVALID_ARGUMENT')
    expect(await seal({ expires: NOW / 1000 - 1 })).toBe('ERR_INVALID_ARGUMENT')
    expect(await seal({ threadId: 'not-an-id' })).toBe('ERR_INVALID_ARGUMENT')
    expect(await seal({ body: new Uint8Array(15 * 1024 * 1024 + 1) })).toBe('ERR_INPUT_TOO_LARGE')
    const att = {
      id: 'a',
      key: new Uint8Array(32),
      filename: '../etc/passwd',
      mediaType: 'text/plain',
      size: 1,
      sha256: new Uint8Array(32),
    }
    expect(await seal({ attachments: [att] })).toBe('ERR_INVALID_ARGUMENT')
    expect(
      await seal({
        attachments: [
          { ...att, filename: 'a.txt' },
          { ...att, filename: 'b.txt' },
        ],
      }),
    ).toBe('ERR_INVALID_ARGUMENT')
    expect(await seal({ sender: { ...skat.seal, alg: 'ES256' } })).toBe('ERR_KEY_INVALID')
  })

  it("normalises addresses and keeps the recipients in the sender's order", async () => {
    const sealed = await sealLetter(
      baseLetter({
        recipients: [{ ...lars.seal, address: 'Lars.Jensen@DigitalPost.dk' }, amina.seal],
      }),
    )
    expect(sealed.header.recipients).toEqual([lars.address, amina.address])
    expect(bytesEqual(sealed.header.keyCommitment, sealed.header.keyCommitment)).toBe(true)
  })

  it("carries the sender's certificate chain to the resolver, as one bstr or an array", async () => {
    for (const chain of [[utf8('leaf')], [utf8('leaf'), utf8('ca')]]) {
      const sealed = await sealLetter(baseLetter({ sender: { ...skat.seal, x5chain: chain } }))
      let seen: readonly Uint8Array[] | undefined
      await inspectLetter(sealed.bytes, {
        now: NOW,
        resolveSenderKey: async (kid, header, x5chain) => {
          seen = x5chain
          return resolveSenderKey(kid, header, x5chain)
        },
      })
      expect(seen?.map(toHex)).toEqual(chain.map(toHex))
    }
  })
})
