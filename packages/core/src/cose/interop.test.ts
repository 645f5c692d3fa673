import { describe, expect, it } from 'vitest'
import { fromHex, toHex, utf8 } from '../bytes.js'
import { BaridError } from '../errors.js'
import { decodeStrict, encodeCanonical } from '../cbor/index.js'
import {
  ALG_IDS,
  agreementKeys,
  agreementKeysFromPrivate,
  kidOf,
  listExamples,
  loadExample,
  outputBytes,
  signingKeys,
  symmetricKey,
  type Example,
  type ExampleEnveloped,
} from '../../test/cose-wg.js'
import { ALL_ALGORITHMS, type ContentAlgorithmId, type KeyAlgorithmId } from './algorithms.js'
import { ivFromPartial } from './content.js'
import { decryptCose, decryptCose0, parseCoseEncrypt } from './decrypt.js'
import { encryptCose, encryptCose0 } from './encrypt.js'
import { kdfContext } from './kdf.js'
import type { RecipientOptions } from './recipient.js'
import { verifyCoseSign } from './sign.js'
import { decodeSign1, signSign1, verifySign1 } from './sign1.js'
import { encStructure, sigStructure } from './structures.js'
import { codeOf } from '../../test/code-of.js'

/** How the library reads other producers' messages: any well-formed CBOR, every implemented algorithm. */
const INTEROP = {
  canonical: false,
  algorithms: ALL_ALGORITHMS.signature,
  requireLowS: false,
} as const
const INTEROP_ENC = { canonical: false, algorithms: ALL_ALGORITHMS } as const
const COSE_TAGS = new Set([16, 17, 18, 96, 97, 98])

/** The example's output re-encoded in deterministic CBOR (the examples keep insertion order). */
function canonical(bytes: Uint8Array): string {
  return toHex(encodeCanonical(decodeStrict(bytes, { canonical: false, tags: COSE_TAGS })))
}

// Every file in spec/vectors/cose-wg/ appears in exactly one of these lists.
const SIGN1_PASS = [
  'sign1-tests/sign-pass-01.json',
  'sign1-tests/sign-pass-02.json',
  'sign1-tests/sign-pass-03.json',
  'eddsa-examples/eddsa-sig-01.json',
  'ecdsa-examples/ecdsa-sig-01.json',
]
const SIGN1_REFUSED: Record<string, string> = {
  'sign1-tests/sign-fail-01.json': 'ERR_COSE_MALFORMED', // tag 998, not 18
  'sign1-tests/sign-fail-02.json': 'ERR_SIGNATURE_INVALID', // signature changed
  'sign1-tests/sign-fail-03.json': 'ERR_UNSUPPORTED_ALGORITHM', // alg -999
  'sign1-tests/sign-fail-04.json': 'ERR_UNSUPPORTED_ALGORITHM', // alg "unknown"
  'sign1-tests/sign-fail-06.json': 'ERR_SIGNATURE_INVALID', // protected attribute added
  'sign1-tests/sign-fail-07.json': 'ERR_SIGNATURE_INVALID', // protected attribute removed
  'eddsa-examples/eddsa-sig-02.json': 'ERR_UNSUPPORTED_ALGORITHM', // Ed448: not in the profile
  'ecdsa-examples/ecdsa-sig-02.json': 'ERR_UNSUPPORTED_ALGORITHM', // ES384
  'ecdsa-examples/ecdsa-sig-03.json': 'ERR_UNSUPPORTED_ALGORITHM', // ES512 on P-521
  'ecdsa-examples/ecdsa-sig-04.json': 'ERR_UNSUPPORTED_ALGORITHM', // ES512 on P-256
}
const SIGN_PASS = ['eddsa-examples/eddsa-01.json', 'ecdsa-examples/ecdsa-01.json']
const SIGN_REFUSED: Record<string, string> = {
  'eddsa-examples/eddsa-02.json': 'ERR_UNSUPPORTED_ALGORITHM', // Ed448
  'ecdsa-examples/ecdsa-02.json': 'ERR_UNSUPPORTED_ALGORITHM', // ES384
  'ecdsa-examples/ecdsa-03.json': 'ERR_UNSUPPORTED_ALGORITHM', // ES512
  'ecdsa-examples/ecdsa-04.json': 'ERR_UNSUPPORTED_ALGORITHM', // ES512
}
const ENCRYPT_PASS = listExamples().filter(
  (f) =>
    /^ecdh-wrap-examples\/p256-.*-0[12]\.json$/.test(f) ||
    f.startsWith('X25519-tests/') ||
    /aes-gcm-0[1235]\.json$/.test(f),
)
const ENCRYPT0_PASS = [
  'aes-gcm-examples/aes-gcm-enc-01.json',
  'aes-gcm-examples/aes-gcm-enc-02.json',
  'aes-gcm-examples/aes-gcm-enc-03.json',
]
const ENCRYPT_REFUSED: Record<string, string> = Object.fromEntries([
  ['aes-gcm-examples/aes-gcm-04.json', 'ERR_DECRYPT_FAILED'], // tag changed
  ['aes-gcm-examples/aes-gcm-enc-04.json', 'ERR_DECRYPT_FAILED'], // tag changed
  // P-521 is not a Barid curve: the ephemeral key in the message is refused.
  ...listExamples()
    .filter((f) => /p521-.*-0[12]\.json$/.test(f))
    .map((f) => [f, 'ERR_UNSUPPORTED_ALGORITHM']),
  // The -03 files are COSE_Mac (tag 97) with HS512: MAC structures are not part of the profile.
  ...listExamples()
    .filter((f) => /-03\.json$/.test(f) && f.startsWith('ecdh-wrap'))
    .map((f) => [f, 'ERR_COSE_MALFORMED']),
])

describe('COSE working group examples (spec/vectors/cose-wg)', () => {
  it('has an expectation for every example file, so none is skipped silently', () => {
    const covered = [
      ...SIGN1_PASS,
      ...Object.keys(SIGN1_REFUSED),
      ...SIGN_PASS,
      ...Object.keys(SIGN_REFUSED),
      ...ENCRYPT_PASS,
      ...ENCRYPT0_PASS,
      ...Object.keys(ENCRYPT_REFUSED),
    ].sort()
    expect(covered).toEqual(listExamples())
  })
})

describe('COSE_Sign1 examples', () => {
  it.each(SIGN1_PASS)('verifies %s in interop mode and rebuilds its ToBeSigned', async (file) => {
    const e = loadExample(file)
    const s = e.input.sign0!
    const { publicKey } = await signingKeys(s.key)
    const externalAad = s.external === undefined ? undefined : fromHex(s.external)
    const untagged = e.input.failures?.RemoveCBORTag !== undefined
    const d = await verifySign1(outputBytes(e), {
      ...INTEROP,
      key: publicKey,
      externalAad,
      allowUntagged: untagged,
      requireProtectedAlg: false,
    })
    expect(new TextDecoder().decode(d.payload)).toBe(e.input.plaintext)
    expect(toHex(sigStructure(d.protectedBytes, externalAad, d.payload))).toBe(
      e.intermediates!.ToBeSign_hex!.toLowerCase(),
    )
  })

  it('refuses in the Barid profile the Sign1 examples the profile forbids, with typed codes', async () => {
    const key = (await signingKeys(loadExample('sign1-tests/sign-pass-01.json').input.sign0!.key))
      .publicKey
    const read = (f: string) => outputBytes(loadExample(f))
    // alg only in the unprotected header
    expect(
      await codeOf(verifySign1(read('sign1-tests/sign-pass-01.json'), { key, canonical: false })),
    ).toBe('ERR_UNSUPPORTED_ALGORITHM')
    // external AAD missing
    expect(await codeOf(verifySign1(read('sign1-tests/sign-pass-02.json'), { key }))).toBe(
      'ERR_SIGNATURE_INVALID',
    )
    // untagged
    expect(await codeOf(verifySign1(read('sign1-tests/sign-pass-03.json'), { key }))).toBe(
      'ERR_COSE_MALFORMED',
    )
  })

  it.each(Object.entries(SIGN1_REFUSED))('refuses %s with %s', async (file, code) => {
    const e = loadExample(file)
    const s = e.input.sign0!
    const got = await codeOf(
      (async () => {
        const { publicKey } = await signingKeys(s.key)
        await verifySign1(outputBytes(e), {
          ...INTEROP,
          key: publicKey,
          requireProtectedAlg: false,
        })
      })(),
    )
    // Ed448 keys import, but the profile has no Ed448: refused at the key, before any signature check.
    expect(got).toBe(code)
  })

  it('reproduces eddsa-sig-01 byte for byte (Ed25519 signatures are deterministic)', async () => {
    const e = loadExample('eddsa-examples/eddsa-sig-01.json')
    const s = e.input.sign0!
    const { privateKey } = await signingKeys(s.key)
    const bytes = await signSign1({
      payload: utf8(e.input.plaintext),
      key: privateKey,
      protectedHeader: new Map([[3, s.protected!.ctyp!]]),
      unprotectedHeader: new Map([[4, kidOf(s.unprotected!)]]),
    })
    expect(toHex(bytes)).toBe(e.output.cbor.toLowerCase())
  })

  it('signs ecdsa-sig-01 the same way except for the (randomised) signature, which verifies', async () => {
    const e = loadExample('ecdsa-examples/ecdsa-sig-01.json')
    const s = e.input.sign0!
    const { privateKey, publicKey } = await signingKeys(s.key)
    const bytes = await signSign1({
      payload: utf8(e.input.plaintext),
      key: privateKey,
      protectedHeader: new Map([[3, s.protected!.ctyp!]]),
      unprotectedHeader: new Map([[4, kidOf(s.unprotected!)]]),
    })
    const ours = decodeSign1(bytes)
    const theirs = decodeSign1(outputBytes(e), { canonical: false })
    expect(toHex(ours.protectedBytes)).toBe(toHex(theirs.protectedBytes))
    expect(toHex(ours.payload)).toBe(toHex(theirs.payload))
    await verifySign1(bytes, { key: publicKey })
  })
})

describe('COSE_Sign examples (verification only)', () => {
  it.each(SIGN_PASS)('verifies %s', async (file) => {
    const e = loadExample(file)
    const signer = e.input.sign!.signers[0]!
    const { publicKey } = await signingKeys(signer.key)
    const v = await verifyCoseSign(outputBytes(e), {
      ...INTEROP,
      key: publicKey,
      kid: kidOf(signer.unprotected!),
    })
    expect(new TextDecoder().decode(v.payload)).toBe(e.input.plaintext)
  })

  it.each(Object.entries(SIGN_REFUSED))('refuses %s with %s', async (file, code) => {
    const e = loadExample(file)
    const signer = e.input.sign!.signers[0]!
    const got = await codeOf(
      (async () => {
        const { publicKey } = await signingKeys(signer.key)
        await verifyCoseSign(outputBytes(e), {
          ...INTEROP,
          key: publicKey,
          kid: kidOf(signer.unprotected!),
        })
      })(),
    )
    expect(got).toBe(code)
  })
})

function envelopeOf(e: Example): ExampleEnveloped {
  return (e.input.enveloped ?? e.input.encrypted ?? e.input.mac)!
}

function algName(h: { alg?: string | number } | undefined): string | undefined {
  return typeof h?.alg === 'string' ? h.alg : undefined
}

/** The examples give the full IV as "unsent"; the Base IV is that IV with the Partial IV XORed out. */
function baseIvOf(env: ExampleEnveloped): Uint8Array | undefined {
  const full = env.unsent?.IV_hex
  const partial = env.unprotected?.partialIV_hex
  return full === undefined || partial === undefined
    ? undefined
    : ivFromPartial(fromHex(full), fromHex(partial))
}

/** Decrypts an example with its recipient's key. */
async function decryptExample(e: Example): Promise<Uint8Array> {
  const env = envelopeOf(e)
  const r = env.recipients[0]!
  const bytes = outputBytes(e)
  const baseIv = baseIvOf(env)
  if (e.input.encrypted !== undefined) {
    return decryptCose0(bytes, { ...INTEROP_ENC, key: symmetricKey(r.key) })
  }
  if (r.key.kty === 'oct') {
    return (
      await decryptCose(bytes, {
        ...INTEROP_ENC,
        sharedKey: symmetricKey(r.key),
        baseIv,
        requireProtectedAlg: true,
      })
    ).plaintext
  }
  const { privateKey } = await agreementKeys(r.key)
  const sender = r.sender_key
  const resolveStaticKey = async (kid: Uint8Array): Promise<CryptoKey> => {
    expect(toHex(kid)).toBe(toHex(kidOf(sender!)))
    return (await agreementKeys(sender!)).publicKey
  }
  return (
    await decryptCose(bytes, {
      ...INTEROP_ENC,
      privateKey,
      kid: kidOf(r.unprotected ?? r.key),
      resolveStaticKey,
    })
  ).plaintext
}

/** Re-encrypts an example with its injected randomness. */
async function reencryptExample(e: Example): Promise<Uint8Array> {
  const env = envelopeOf(e)
  const r = env.recipients[0]!
  const rng = (e.input.rng_stream ?? []).map(fromHex)
  const contentAlg = ALG_IDS[algName(env.protected)!] as ContentAlgorithmId
  const keyAlg = ALG_IDS[algName(r.protected) ?? algName(r.unprotected)!] as KeyAlgorithmId
  const plaintext = utf8(e.input.plaintext)
  if (e.input.encrypted !== undefined) {
    return encryptCose0({
      ...INTEROP_ENC,
      plaintext,
      key: symmetricKey(r.key),
      contentAlg,
      iv: rng[0],
    })
  }
  const partialIv = env.unprotected?.partialIV_hex
  const ivOptions =
    partialIv === undefined
      ? { iv: rng[keyAlg === -6 ? 0 : 1] }
      : { partialIv: { partialIv: fromHex(partialIv), baseIv: baseIvOf(env)! } }
  const recipient: RecipientOptions = { alg: keyAlg, kid: kidOf(r.unprotected ?? {}) }
  let cek: Uint8Array | undefined
  if (keyAlg === -6) recipient.sharedKey = symmetricKey(r.key)
  else {
    recipient.publicKey = (await agreementKeys(r.key)).publicKey
    const curve = r.key.crv === 'X25519' ? 'X25519' : 'P-256'
    if (r.sender_key !== undefined) {
      const s = await agreementKeys(r.sender_key)
      recipient.staticKey = {
        privateKey: s.privateKey,
        publicKey: s.publicKey,
        kid: r.sender_key.kid === undefined ? undefined : kidOf(r.sender_key),
      }
      if (keyAlg === -27) recipient.partyUNonce = rng[0]
      else cek = rng[0]
    } else if (keyAlg === -25) {
      recipient.ephemeralKeyPair = await agreementKeysFromPrivate(curve, rng[0]!)
    } else {
      cek = rng[0]
      recipient.ephemeralKeyPair = await agreementKeysFromPrivate(curve, rng[2]!)
    }
  }
  return encryptCose({
    ...INTEROP_ENC,
    ...ivOptions,
    plaintext,
    contentAlg,
    cek,
    recipients: [recipient],
  })
}

describe('COSE_Encrypt and COSE_Encrypt0 examples', () => {
  it.each([...ENCRYPT_PASS, ...ENCRYPT0_PASS])('decrypts %s', async (file) => {
    const e = loadExample(file)
    expect(new TextDecoder().decode(await decryptExample(e))).toBe(e.input.plaintext)
  })

  it.each([...ENCRYPT_PASS, ...ENCRYPT0_PASS])(
    'reproduces %s byte for byte from the same keys, CEK, IV and ephemeral key',
    async (file) => {
      const e = loadExample(file)
      // The examples write maps in insertion order; Barid writes deterministic CBOR. Everything
      // signed or authenticated (protected headers, ciphertexts, wrapped keys) is compared as is.
      expect(toHex(await reencryptExample(e))).toBe(canonical(outputBytes(e)))
    },
  )

  it.each(ENCRYPT_PASS.filter((f) => f.startsWith('ecdh') || f.startsWith('X25519')))(
    'builds the AAD and KDF context of %s exactly as the intermediates show',
    async (file) => {
      const e = loadExample(file)
      const msg = parseCoseEncrypt(outputBytes(e), { ...INTEROP_ENC })
      expect(toHex(encStructure('Encrypt', msg.headers.protectedBytes, undefined))).toBe(
        e.intermediates!.AAD_hex!.toLowerCase(),
      )
      const r = msg.recipients[0]!
      const wrap = r.alg.wrap
      const nonce = r.headers.unprotected.get(-22) as Uint8Array | undefined
      const context = kdfContext({
        algorithmId: wrap?.kwAlg ?? msg.alg,
        keyDataLength: wrap?.bits ?? (msg.alg === 1 ? 128 : msg.alg === 2 ? 192 : 256),
        protectedBytes: r.headers.protectedBytes,
        partyU: { nonce },
      })
      expect(toHex(context)).toBe(e.intermediates!.recipients![0]!.Context_hex!.toLowerCase())
    },
  )

  it.each(Object.entries(ENCRYPT_REFUSED))('refuses %s with %s', async (file, code) => {
    expect(await codeOf(decryptExample(loadExample(file)))).toBe(code)
  })

  it('reports the tag of a COSE_Mac handed to the COSE_Encrypt reader', () => {
    const bytes = outputBytes(loadExample('ecdh-wrap-examples/p256-wrap-128-03.json'))
    try {
      parseCoseEncrypt(bytes, INTEROP_ENC)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(BaridError)
      expect((e as BaridError).details).toEqual({ tag: 97 })
    }
  })
})
