import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex, utf8 } from '../bytes.js'
import { CborTag, decodeStrict, encodeCanonical, type CborValue } from '../cbor/index.js'
import { agreementKey, type TestKey } from '../../test/keys.js'
import { ALL_ALGORITHMS } from './algorithms.js'
import { decryptCose, parseCoseEncrypt } from './decrypt.js'
import { encryptCose } from './encrypt.js'
import { kdfContext } from './kdf.js'
import { codeOf } from '../../test/code-of.js'

const pool: TestKey[] = await Promise.all([
  agreementKey('X25519'),
  agreementKey('P-256'),
  agreementKey('X25519'),
  agreementKey('P-256'),
])

describe('COSE_Encrypt (A256GCM, ECDH-ES + A256KW)', () => {
  it('lets every recipient, X25519 or P-256, decrypt what was encrypted to it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 512 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.subarray(pool, { minLength: 1 }),
        async (plaintext, aad, recipients) => {
          const bytes = await encryptCose({
            plaintext,
            externalAad: aad,
            recipients: recipients.map((k) => ({ publicKey: k.publicKey, kid: k.kid })),
          })
          for (const k of recipients) {
            const d = await decryptCose(bytes, {
              privateKey: k.privateKey,
              kid: k.kid,
              externalAad: aad,
            })
            expect(toHex(d.plaintext)).toBe(toHex(plaintext))
            expect(d.cek.length).toBe(32)
          }
        },
      ),
      { numRuns: 10 },
    )
  })

  it("writes the profile's structure: protected alg 3, 12-byte IV, one recipient per key with alg -31, epk and kid", async () => {
    const bytes = await encryptCose({
      plaintext: utf8('x'),
      recipients: pool.map((k) => ({ publicKey: k.publicKey, kid: k.kid })),
    })
    const msg = parseCoseEncrypt(bytes)
    expect(toHex(msg.headers.protectedBytes)).toBe('a10103')
    expect(msg.iv.length).toBe(12)
    expect(msg.recipients.map((r) => toHex(r.headers.protectedBytes))).toEqual(
      pool.map(() => 'a101381e'),
    )
    expect(msg.recipients.map((r) => toHex(r.kid!))).toEqual(pool.map((k) => toHex(k.kid)))
    expect(msg.recipients.map((r) => r.ciphertext.length)).toEqual(pool.map(() => 40))
    // deterministic CBOR throughout
    expect(toHex(encodeCanonical(decodeStrict(bytes, { tags: new Set([96]) })))).toBe(toHex(bytes))
  })

  it('uses the CEK and IV it is given (the sealed letter commits to its CEK)', async () => {
    const cek = new Uint8Array(32).fill(7)
    const iv = new Uint8Array(12).fill(9)
    const [k] = pool
    const bytes = await encryptCose({
      plaintext: utf8('x'),
      cek,
      iv,
      recipients: [{ publicKey: k!.publicKey, kid: k!.kid }],
    })
    const d = await decryptCose(bytes, { privateKey: k!.privateKey, kid: k!.kid })
    expect(toHex(d.cek)).toBe(toHex(cek))
    expect(toHex(d.message.iv)).toBe(toHex(iv))
  })

  it('refuses a key id that is not among the recipients, and a wrong private key under a listed kid', async () => {
    const [a, b] = pool
    const bytes = await encryptCose({
      plaintext: utf8('x'),
      recipients: [{ publicKey: a!.publicKey, kid: a!.kid }],
    })
    expect(await codeOf(decryptCose(bytes, { privateKey: b!.privateKey, kid: b!.kid }))).toBe(
      'ERR_KEY_NOT_FOUND',
    )
    const other = await agreementKey('X25519')
    expect(await codeOf(decryptCose(bytes, { privateKey: other.privateKey, kid: a!.kid }))).toBe(
      'ERR_DECRYPT_FAILED',
    )
    const p256 = pool[1]!
    expect(await codeOf(decryptCose(bytes, { privateKey: p256.privateKey, kid: a!.kid }))).toBe(
      'ERR_KEY_INVALID',
    )
  })

  it('fails to decrypt when the external AAD differs', async () => {
    const [k] = pool
    const bytes = await encryptCose({
      plaintext: utf8('x'),
      externalAad: utf8('header-1'),
      recipients: [{ publicKey: k!.publicKey, kid: k!.kid }],
    })
    expect(
      await codeOf(
        decryptCose(bytes, {
          privateKey: k!.privateKey,
          kid: k!.kid,
          externalAad: utf8('header-2'),
        }),
      ),
    ).toBe('ERR_DECRYPT_FAILED')
  })

  it('refuses algorithms outside the Barid profile on both sides unless the caller widens the policy', async () => {
    const [k] = pool
    expect(
      await codeOf(
        encryptCose({
          plaintext: utf8('x'),
          contentAlg: 1,
          recipients: [{ publicKey: k!.publicKey }],
        }),
      ),
    ).toBe('ERR_UNSUPPORTED_ALGORITHM')
    expect(
      await codeOf(
        encryptCose({ plaintext: utf8('x'), recipients: [{ alg: -29, publicKey: k!.publicKey }] }),
      ),
    ).toBe('ERR_UNSUPPORTED_ALGORITHM')
    const wide = await encryptCose({
      plaintext: utf8('x'),
      contentAlg: 1,
      algorithms: ALL_ALGORITHMS,
      recipients: [{ alg: -29, publicKey: k!.publicKey, kid: k!.kid }],
    })
    expect(await codeOf(decryptCose(wide, { privateKey: k!.privateKey, kid: k!.kid }))).toBe(
      'ERR_UNSUPPORTED_ALGORITHM',
    )
    await decryptCose(wide, { privateKey: k!.privateKey, kid: k!.kid, algorithms: ALL_ALGORITHMS })
  })

  it('refuses an ephemeral key that is not a point on the curve', async () => {
    const k = pool[1]!
    const bytes = await encryptCose({
      plaintext: utf8('x'),
      recipients: [{ publicKey: k.publicKey, kid: k.kid }],
    })
    const t = decodeStrict(bytes, { tags: new Set([96]) }) as CborTag
    const parts = t.value as CborValue[]
    const r = (parts[3] as CborValue[][])[0]!
    const epk = new Map((r[1] as Map<number, Map<number, CborValue>>).get(-1)!)
    const y = (epk.get(-3) as Uint8Array).slice()
    y[31]! ^= 1
    epk.set(-3, y)
    ;(r[1] as Map<number, CborValue>).set(-1, epk)
    const forged = encodeCanonical(new CborTag(96, parts))
    expect(await codeOf(decryptCose(forged, { privateKey: k.privateKey, kid: k.kid }))).toBe(
      'ERR_KEY_INVALID',
    )
  })

  it('answers random bytes with typed errors only', async () => {
    const [k] = pool
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (b) => {
        expect(
          await codeOf(
            decryptCose(Uint8Array.of(0xd8, 0x60, ...b), {
              privateKey: k!.privateKey,
              kid: k!.kid,
            }),
          ),
        ).toMatch(/^ERR_/)
      }),
      { numRuns: 300 },
    )
  })

  it('builds the RFC 9053 KDF context of the COSE WG example p256-wrap-256-01', () => {
    const ctx = kdfContext({
      algorithmId: -5,
      keyDataLength: 256,
      protectedBytes: fromHex('a101381e'),
    })
    expect(toHex(ctx)).toBe('842483f6f6f683f6f6f68219010044a101381e')
  })
})
