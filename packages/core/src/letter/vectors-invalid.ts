/**
 * @module letter/vectors-invalid
 * The must-fail part of spec/vectors/letter.json: letters derived from a valid one by the
 * changes an attacker or a broken implementation could make, each with the code a reader MUST
 * report.
 */
import { bytesEqual, concatBytes, fromHex, toHex, utf8 } from '../bytes.js'
import {
  CborTag,
  decodeStrict,
  encodeCanonical,
  type CborKey,
  type CborValue,
} from '../cbor/index.js'
import { encryptCose } from '../cose/encrypt.js'
import { signSign1 } from '../cose/sign1.js'
import { X25519_SMALL_ORDER } from '../cose/x25519-small-order.js'
import { encodeLetterContent } from './content.js'
import type { FixedKey } from './fixed-keys.js'

/** The keys the invalid vectors use. */
export interface InvalidVectorKeys {
  skatSigning: FixedKey
  mallorySigning: FixedKey
  amina: FixedKey
  lars: FixedKey
  /** An X25519 ephemeral key for the forged payload. */
  ephemeral: FixedKey
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const t = bytes.slice()
  t[bit >> 3]! ^= 1 << (bit & 7)
  return t
}

/** The parts of a sealed letter (vectors are built from valid letters by changing parts). */
function parts(bytes: Uint8Array): {
  prot: Map<CborKey, CborValue>
  protBytes: Uint8Array
  payload: Uint8Array
  sig: Uint8Array
} {
  const t = decodeStrict(bytes, { tags: new Set([18]) }) as CborTag
  const [p, , payload, sig] = t.value as [Uint8Array, unknown, Uint8Array, Uint8Array]
  return { prot: decodeStrict(p) as Map<CborKey, CborValue>, protBytes: p, payload, sig }
}

/** Re-signs a letter after changing its protected header (what an attacker who strips the signature can do). */
async function resign(
  bytes: Uint8Array,
  key: FixedKey,
  change: (prot: Map<CborKey, CborValue>, header: Map<CborKey, CborValue>) => void,
): Promise<Uint8Array> {
  const { prot, payload } = parts(bytes)
  const header = new Map(prot.get(-65537) as Map<CborKey, CborValue>)
  prot.set(-65537, header)
  change(prot, header)
  return signSign1({ payload, key: key.privateKey, protectedHeader: encodeCanonical(prot) })
}

/** Must-fail vectors derived from `base`, a valid letter from Skat to Amina sealed at `now`. */
export async function makeInvalidLetters(
  base: Uint8Array,
  k: InvalidVectorKeys,
  now: number,
): Promise<unknown[]> {
  const p = parts(base)
  const sigStart = base.length - 64
  const payloadStart = base.length - 64 - 2 - p.payload.length
  const forgedCommit = await signSign1({
    payload: await encryptCose({
      plaintext: encodeCanonical(
        encodeLetterContent({ body: utf8('a different text'), attachments: [] }),
      ),
      cek: new Uint8Array(32).fill(0xee),
      iv: new Uint8Array(12).fill(0xef),
      externalAad: p.protBytes,
      recipients: [
        { publicKey: k.amina.publicKey, kid: k.amina.kid, ephemeralKeyPair: k.ephemeral },
      ],
    }),
    key: k.skatSigning.privateKey,
    protectedHeader: p.protBytes,
  })
  // A payload length written in 4 bytes instead of 2: valid CBOR, not deterministic.
  const nonCanonical = encodeNonCanonicalPayload(base, p.payload.length)
  const withUnprotected = encodeCanonical(
    new CborTag(18, [p.protBytes, new Map([[4, k.skatSigning.kid]]), p.payload, p.sig]),
  )
  // The sender's own signature over a payload whose entry for Amina carries a small-order key.
  const smallOrder = await Promise.all(
    X25519_SMALL_ORDER.map(async (point, i) => ({
      name: `x25519-small-order-ephemeral-${i}`,
      description: `the ephemeral key of the recipient's entry is the small-order point ${point.name}: the all-zero shared secret (5.8 step 4)`,
      check: 'open',
      key: k.amina.name,
      letter: toHex(
        await signSign1({
          payload: withEphemeral(p.payload, k.amina.kid, fromHex(point.hex)),
          key: k.skatSigning.privateKey,
          protectedHeader: p.protBytes,
        }),
      ),
      reason: 'ERR_LETTER_TAMPERED',
    })),
  )
  return [
    {
      name: 'bit-flip-in-payload',
      check: 'inspect',
      letter: toHex(flipBit(base, (payloadStart + 40) * 8)),
      reason: 'ERR_LETTER_TAMPERED',
    },
    {
      name: 'bit-flip-in-signature',
      check: 'inspect',
      letter: toHex(flipBit(base, (sigStart + 10) * 8 + 3)),
      reason: 'ERR_LETTER_TAMPERED',
    },
    {
      name: 'wrong-recipient',
      check: 'open',
      key: k.lars.name,
      letter: toHex(base),
      reason: 'ERR_NOT_A_RECIPIENT',
    },
    {
      name: 're-signed-by-another-sender',
      description:
        "signature stripped, sender and kid changed to Mallory, re-signed: operators see Mallory's letter, the recipient cannot decrypt it",
      check: 'open',
      key: k.amina.name,
      letter: toHex(
        await resign(base, k.mallorySigning, (pr, h) => {
          pr.set(4, k.mallorySigning.kid)
          h.set('from', 'mallory@post.eg')
        }),
      ),
      reason: 'ERR_LETTER_TAMPERED',
    },
    {
      name: 're-signed-same-header',
      check: 'inspect',
      letter: toHex(await resign(base, k.mallorySigning, (pr) => pr.set(1, -8))),
      reason: 'ERR_LETTER_TAMPERED',
    },
    {
      name: 'kid-not-the-senders',
      check: 'inspect',
      letter: toHex(await resign(base, k.mallorySigning, (pr) => pr.set(4, k.mallorySigning.kid))),
      reason: 'ERR_SENDER_MISMATCH',
    },
    {
      name: 'unknown-sender-kid',
      description: 'signed by the sender, but naming a kid the directory does not hold',
      check: 'inspect',
      letter: toHex(await resign(base, k.skatSigning, (pr) => pr.set(4, k.amina.kid))),
      reason: 'ERR_KEY_NOT_FOUND',
    },
    {
      name: 'alg-does-not-fit-key',
      description:
        "alg ES256 on a letter whose sender's key is Ed25519 (spec 04, 4.2; 05, 5.7 step 4)",
      check: 'inspect',
      letter: toHex(await resignWithAlg(base, -7)),
      reason: 'ERR_LETTER_TAMPERED',
    },
    {
      name: 'x5chain-one-element-array',
      description: 'x5chain as an array of one byte string (spec 05, 5.2)',
      check: 'inspect',
      letter: toHex(await resign(base, k.skatSigning, (pr) => pr.set(33, [fromHex('3003020101')]))),
      reason: 'ERR_LETTER_MALFORMED',
    },
    {
      name: 'x5chain-nine-entries',
      description: 'x5chain of 9 byte strings, one more than the limit (spec 05, 5.9)',
      check: 'inspect',
      letter: toHex(
        await resign(base, k.skatSigning, (pr) =>
          pr.set(
            33,
            Array.from({ length: 9 }, (_, i) => Uint8Array.of(0x30, 0x03, 0x02, 0x01, i + 1)),
          ),
        ),
      ),
      reason: 'ERR_INPUT_TOO_LARGE',
    },
    {
      name: 'expired',
      check: 'inspect',
      now: now + 31 * 86_400_000,
      letter: toHex(base),
      reason: 'ERR_LETTER_EXPIRED',
    },
    {
      name: 'created-in-the-future',
      check: 'inspect',
      now: now - 3_600_000,
      letter: toHex(base),
      reason: 'ERR_LETTER_CLOCK_SKEW',
    },
    {
      name: 'unknown-algorithm',
      check: 'inspect',
      letter: toHex(await resignWithAlg(base, -35)),
      reason: 'ERR_UNSUPPORTED_ALGORITHM',
    },
    {
      name: 'unknown-critical-parameter',
      check: 'inspect',
      letter: toHex(
        await resign(base, k.skatSigning, (pr) => {
          pr.set(2, [-65537, -65538])
          pr.set(-65538, 1)
        }),
      ),
      reason: 'ERR_COSE_CRITICAL_UNKNOWN',
    },
    {
      name: 'version-2',
      check: 'inspect',
      letter: toHex(await resign(base, k.skatSigning, (_pr, h) => h.set('v', 2))),
      reason: 'ERR_UNSUPPORTED_VERSION',
    },
    {
      name: 'unknown-header-field',
      check: 'inspect',
      letter: toHex(await resign(base, k.skatSigning, (_pr, h) => h.set('prio', 1))),
      reason: 'ERR_LETTER_MALFORMED',
    },
    {
      name: 'category-on-ordinary-letter',
      description: 'a registered-mail category on a letter of kind letter (spec 05, 5.3)',
      check: 'inspect',
      letter: toHex(
        await resign(base, k.skatSigning, (_pr, h) => h.set('cat', 'service-of-process')),
      ),
      reason: 'ERR_LETTER_MALFORMED',
    },
    {
      name: 'visible-after-expiry',
      check: 'inspect',
      letter: toHex(
        await resign(base, k.skatSigning, (_pr, h) => h.set('nbf', h.get('expires') as number)),
      ),
      reason: 'ERR_LETTER_MALFORMED',
    },
    {
      name: 'title-with-control-character',
      check: 'inspect',
      letter: toHex(await resign(base, k.skatSigning, (_pr, h) => h.set('title', 'a\nb'))),
      reason: 'ERR_LETTER_MALFORMED',
    },
    {
      name: 'key-commitment-mismatch',
      description: 'the sender committed to one CEK and encrypted under another',
      check: 'open',
      key: k.amina.name,
      letter: toHex(forgedCommit),
      reason: 'ERR_LETTER_TAMPERED',
    },
    {
      name: 'not-deterministic-cbor',
      check: 'inspect',
      letter: toHex(nonCanonical),
      reason: 'ERR_LETTER_MALFORMED',
    },
    {
      name: 'unprotected-header-not-empty',
      check: 'inspect',
      letter: toHex(withUnprotected),
      reason: 'ERR_LETTER_MALFORMED',
    },
    ...smallOrder,
  ]

  async function resignWithAlg(bytes: Uint8Array, alg: number): Promise<Uint8Array> {
    // The alg is changed without a valid signature: a reader refuses it before any signature check.
    const { prot, payload, sig } = parts(bytes)
    prot.set(1, alg)
    return encodeCanonical(new CborTag(18, [encodeCanonical(prot), new Map(), payload, sig]))
  }
}

/**
 * A letter's payload (its COSE_Encrypt) with the ephemeral key of the entry for `kid` replaced
 * by the X25519 u-coordinate `x`.
 *
 * @example
 * ```ts
 * const payload = withEphemeral(letterPayload, recipientKid, new Uint8Array(32))
 * ```
 */
export function withEphemeral(payload: Uint8Array, kid: Uint8Array, x: Uint8Array): Uint8Array {
  const t = decodeStrict(payload, { tags: new Set([96]) }) as CborTag
  const [prot, u, ct, recipients] = t.value as [CborValue, CborValue, CborValue, CborValue[][]]
  const changed = recipients.map((r) => {
    const unprotected = r[1] as Map<CborKey, CborValue>
    if (!bytesEqual(unprotected.get(4) as Uint8Array, kid)) return r
    const epk = new Map(unprotected.get(-1) as Map<CborKey, CborValue>).set(-2, x)
    return [r[0]!, new Map(unprotected).set(-1, epk), r[2]!]
  })
  return encodeCanonical(new CborTag(96, [prot, u, ct, changed]))
}

/** The order of the P-256 group (spec 04, 4.4). */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n

/**
 * The ES256 letter `bytes` with its low-S signature (r, s) replaced by (r, n - s): a signature
 * plain ECDSA accepts and the Barid profile refuses (spec 04, 4.4).
 *
 * @example
 * ```ts
 * const refused = highS(es256Letter)
 * ```
 */
export function highS(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice()
  const at = out.length - 32
  const s = BigInt(`0x${toHex(out.subarray(at))}`)
  const flipped = (P256_N - s).toString(16).padStart(64, '0')
  for (let i = 0; i < 32; i++) out[at + i] = parseInt(flipped.slice(2 * i, 2 * i + 2), 16)
  return out
}

function encodeNonCanonicalPayload(bytes: Uint8Array, payloadLength: number): Uint8Array {
  const t = decodeStrict(bytes, { tags: new Set([18]) }) as CborTag
  const [p, , payload, sig] = t.value as [Uint8Array, Map<never, never>, Uint8Array, Uint8Array]
  const head = Uint8Array.of(
    0x5a,
    payloadLength >>> 24,
    (payloadLength >>> 16) & 0xff,
    (payloadLength >>> 8) & 0xff,
    payloadLength & 0xff,
  )
  const prefix = encodeCanonical(p)
  return concatBytes(
    Uint8Array.of(0xd2, 0x84),
    prefix,
    Uint8Array.of(0xa0),
    head,
    payload,
    encodeCanonical(sig),
  )
}
