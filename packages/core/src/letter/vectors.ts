/**
 * @module letter/vectors
 * Builds spec/vectors/letter.json: sealed letters made from fixed keys and fixed randomness
 * (CEK, IV, letter id, ephemeral keys), which another implementation must reproduce byte for
 * byte (Ed25519 senders) and open; and letters it must refuse, each with its reason code.
 */
import { fromHex, toHex, utf8 } from '../bytes.js'
import { fixedKey, type FixedKey } from './fixed-keys.js'
import type { LetterHeader } from './header.js'
import { newLetterId } from './letter-id.js'
import { sealLetter, type SealAttachment, type SealLetterOptions } from './seal.js'
import { encodeLetterContent } from './content.js'
import { highS, makeInvalidLetters } from './vectors-invalid.js'
import { letterIntermediates } from './vectors-intermediates.js'

const NOW = Date.UTC(2025, 5, 1, 9, 0, 0)

function headerJson(h: LetterHeader): Record<string, unknown> {
  return {
    ...h,
    attachments: h.attachments.map((a) => ({ ...a, sha256: toHex(a.sha256) })),
    keyCommitment: toHex(h.keyCommitment),
  }
}

function attachmentsJson(list: readonly SealAttachment[]): unknown[] {
  return list.map((a) => ({ ...a, key: toHex(a.key), sha256: toHex(a.sha256) }))
}

/** A valid vector as far as {@link keepCommitted} reads it. */
interface MadeVector {
  name: string
  deterministic: boolean
  letter: string
  digest: string
}

/** Hex digits of an ES256 signature, the last bytes of a letter (COSE_Sign1's last field). */
const ES256_SIGNATURE_HEX = 128

/**
 * Keeps the committed bytes of each randomised (ES256) letter whose every byte but the
 * signature is what the generator made today: ECDSA signs with a fresh nonce, so regenerating
 * would otherwise rewrite the file for no change of format. Returns the indexes it kept.
 *
 * @example
 * ```ts
 * keepCommitted(await makeVectors(), JSON.parse(readFileSync('spec/vectors/letter.json', 'utf8')))
 * ```
 */
export function keepCommitted(made: unknown, committed: unknown): number[] {
  const now = (made as { valid: MadeVector[] }).valid
  const before = (committed as { valid?: MadeVector[] } | undefined)?.valid ?? []
  const kept: number[] = []
  for (const [i, v] of now.entries()) {
    const c = before[i]
    if (v.deterministic || c === undefined || c.name !== v.name) continue
    if (v.letter.slice(0, -ES256_SIGNATURE_HEX) !== c.letter.slice(0, -ES256_SIGNATURE_HEX))
      continue
    v.letter = c.letter
    v.digest = c.digest
    kept.push(i)
  }
  // The high-S letter is made from the ES256 letter, so it follows the letter kept.
  const es256 = now.find((v) => !v.deterministic)
  const highSVector = (made as { invalid: { name: string; letter: string }[] }).invalid.find(
    (v) => v.name === HIGH_S_VECTOR,
  )
  if (es256 !== undefined && highSVector !== undefined)
    highSVector.letter = toHex(highS(fromHex(es256.letter)))
  return kept
}

const HIGH_S_VECTOR = 'es256-high-s-signature'

export async function makeVectors(): Promise<unknown> {
  const k = {
    skatSigning: await fixedKey('skat-signing', 'Ed25519', 'sign', 0x11),
    skatEncryption: await fixedKey('skat-encryption', 'X25519', 'agree', 0x12),
    bankSigning: await fixedKey('nbe-signing', 'P-256', 'sign', 0x13),
    bankEncryption: await fixedKey('nbe-encryption', 'P-256', 'agree', 0x14),
    mallorySigning: await fixedKey('mallory-signing', 'Ed25519', 'sign', 0x15),
    amina: await fixedKey('amina-x25519', 'X25519', 'agree', 0x21),
    lars: await fixedKey('lars-p256', 'P-256', 'agree', 0x22),
    larsPhone: await fixedKey('lars-x25519', 'X25519', 'agree', 0x23),
  }
  const ephemeral = {
    X25519: await Promise.all(
      [0x31, 0x32, 0x33, 0x34].map((s, i) =>
        fixedKey(`ephemeral-x25519-${i}`, 'X25519', 'agree', s),
      ),
    ),
    'P-256': await Promise.all(
      [0x41, 0x42, 0x43, 0x44].map((s, i) => fixedKey(`ephemeral-p256-${i}`, 'P-256', 'agree', s)),
    ),
  }
  const directory = [
    { kid: toHex(k.skatSigning.kid), address: 'skat@digitalpost.dk', key: k.skatSigning.name },
    { kid: toHex(k.bankSigning.kid), address: 'nbe@post.eg', key: k.bankSigning.name },
    { kid: toHex(k.mallorySigning.kid), address: 'mallory@post.eg', key: k.mallorySigning.name },
  ]
  const used: string[] = []
  const random = (n: number) => ({
    letterId: newLetterId(NOW, new Uint8Array(10).fill(n)),
    cek: new Uint8Array(32).fill(0xc0 + n),
    iv: new Uint8Array(12).fill(0x90 + n),
    ephemeralKeyPair: async (curve: 'X25519' | 'P-256', index: number) => {
      const e = ephemeral[curve][index]!
      used.push(e.name)
      return { privateKey: e.privateKey, publicKey: e.publicKey }
    },
  })
  const skat = {
    address: 'skat@digitalpost.dk',
    signingKey: k.skatSigning.privateKey,
    kid: k.skatSigning.kid,
    encryptionKey: { publicKey: k.skatEncryption.publicKey, kid: k.skatEncryption.kid },
  }
  const bank = {
    address: 'nbe@post.eg',
    signingKey: k.bankSigning.privateKey,
    kid: k.bankSigning.kid,
    encryptionKey: { publicKey: k.bankEncryption.publicKey, kid: k.bankEncryption.kid },
  }
  const amina = {
    address: 'amina.hassan@post.eg',
    keys: [{ publicKey: k.amina.publicKey, kid: k.amina.kid }],
  }
  const lars = {
    address: 'lars.jensen@digitalpost.dk',
    keys: [k.lars, k.larsPhone].map((x) => ({ publicKey: x.publicKey, kid: x.kid })),
  }
  const attachments: SealAttachment[] = [
    {
      id: 'a1',
      key: new Uint8Array(32).fill(0xa1),
      filename: 'إقرار ضريبي.pdf',
      mediaType: 'application/pdf',
      size: 48_213,
      sha256: new Uint8Array(32).fill(0xd1),
    },
    {
      id: 'a2',
      key: new Uint8Array(32).fill(0xa2),
      filename: 'bilag.png',
      mediaType: 'image/png',
      size: 1_024,
      sha256: new Uint8Array(32).fill(0xd2),
    },
  ]

  const cases: {
    name: string
    description: string
    options: SealLetterOptions
    openers: FixedKey[]
    deterministic: boolean
  }[] = [
    {
      name: 'letter-ed25519-to-x25519',
      description: 'Ed25519 sender, one recipient with one X25519 key, no attachments',
      options: {
        sender: skat,
        recipients: [amina],
        contentType: 'text/plain; charset=utf-8',
        lang: 'ar',
        subject: 'إشعار',
        body: utf8('مرحبا أمينة'),
        now: NOW,
        random: random(1),
      },
      openers: [k.amina, k.skatEncryption],
      deterministic: true,
    },
    {
      name: 'registered-two-recipients-attachments',
      description:
        'Ed25519 sender whose x5chain holds two byte strings that are not certificates (spec 5.2: a reader checks its shape and limits only, and MUST NOT refuse the letter for its content), two recipients (X25519; P-256 and X25519), two attachments, a thread id',
      options: {
        sender: { ...skat, x5chain: [fromHex('3003020101'), fromHex('3003020102')] },
        recipients: [amina, lars],
        kind: 'registered',
        contentType: 'application/pdf',
        lang: 'da',
        subject: 'Årsopgørelse 2024',
        body: utf8('%PDF-1.7 (stand-in body)'),
        attachments,
        threadId: newLetterId(NOW - 86_400_000, new Uint8Array(10).fill(0x77)),
        expires: NOW / 1000 + 14 * 86_400,
        now: NOW,
        random: random(2),
      },
      openers: [k.amina, k.lars, k.larsPhone, k.skatEncryption],
      deterministic: true,
    },
    {
      name: 'letter-es256-to-p256',
      description:
        'ES256 sender (ECDSA signatures are randomised: reproduce every byte but the last 64, and verify)',
      options: {
        sender: bank,
        recipients: [lars],
        contentType: 'text/plain; charset=utf-8',
        lang: 'en',
        body: utf8('Your statement is ready.'),
        now: NOW,
        random: random(3),
      },
      openers: [k.lars, k.larsPhone, k.bankEncryption],
      deterministic: false,
    },
    {
      name: 'service-of-process-with-terms',
      description:
        'registered mail of category service-of-process, shown from a later date, with a notification title and a reply-by date (spec 17.1)',
      options: {
        sender: skat,
        recipients: [lars],
        kind: 'registered',
        category: 'service-of-process',
        visibleFrom: NOW / 1000 + 86_400,
        title: 'Afgørelse fra Skattestyrelsen',
        replyBy: NOW / 1000 + 29 * 86_400,
        contentType: 'text/plain; charset=utf-8',
        lang: 'da',
        subject: 'Afgørelse om ejendomsvurdering',
        body: utf8('Kære Lars'),
        now: NOW,
        random: random(4),
      },
      openers: [k.lars, k.larsPhone, k.skatEncryption],
      deterministic: true,
    },
  ]

  const valid = []
  const sealed: Uint8Array[] = []
  const allKeys = [...Object.values(k), ...ephemeral.X25519, ...ephemeral['P-256']]
  const byName = (name: string) => allKeys.find((x) => x.name === name)!
  const byKid = (kid: Uint8Array) => allKeys.find((x) => toHex(x.kid) === toHex(kid))!
  for (const c of cases) {
    used.length = 0
    const s = await sealLetter(c.options)
    sealed.push(s.bytes)
    const o = c.options
    const coseRecipients = [
      ...o.recipients.flatMap((r) => r.keys.map((x) => byKid(x.kid))),
      byKid(o.sender.encryptionKey!.kid),
    ]
    const intermediates = await letterIntermediates(
      s.bytes,
      coseRecipients,
      used.map(byName),
      encodeLetterContent({
        body: o.body,
        ...(o.subject === undefined ? {} : { subject: o.subject }),
        attachments: o.attachments ?? [],
      }),
    )
    valid.push({
      name: c.name,
      description: c.description,
      deterministic: c.deterministic,
      input: {
        sender: {
          address: o.sender.address,
          signingKey: c.name.includes('es256') ? k.bankSigning.name : k.skatSigning.name,
          x5chain: o.sender.x5chain?.map(toHex),
          encryptionKey: c.name.includes('es256') ? k.bankEncryption.name : k.skatEncryption.name,
        },
        recipients: o.recipients.map((r) => ({
          address: r.address,
          keys: r.keys.map((x) => Object.values(k).find((f) => f.kid === x.kid)!.name),
        })),
        kind: o.kind ?? 'letter',
        contentType: o.contentType,
        lang: o.lang,
        subject: o.subject,
        body: toHex(o.body),
        attachments: attachmentsJson(o.attachments ?? []),
        threadId: o.threadId,
        category: o.category,
        visibleFrom: o.visibleFrom,
        title: o.title,
        replyBy: o.replyBy,
        expires: o.expires,
        now: o.now,
        random: {
          letterId: o.random!.letterId,
          cek: toHex(o.random!.cek!),
          iv: toHex(o.random!.iv!),
          ephemeralKeys: [...used],
        },
      },
      header: headerJson(s.header),
      intermediates,
      letter: toHex(s.bytes),
      digest: toHex(s.digest),
      openers: c.openers.map((x) => x.name),
    })
  }

  const invalid = await makeInvalidLetters(
    sealed[0]!,
    { ...k, ephemeral: ephemeral.X25519[3]! },
    NOW,
  )
  invalid.push({
    name: HIGH_S_VECTOR,
    description:
      'the ES256 letter with its signature (r, s) replaced by (r, n - s): valid ECDSA, but a high S (spec 04, 4.4)',
    check: 'inspect',
    letter: toHex(highS(sealed[2]!)),
    reason: 'ERR_LETTER_TAMPERED',
  })

  const keys = [...Object.values(k), ...ephemeral.X25519, ...ephemeral['P-256']].map((x) => ({
    name: x.name,
    kid: toHex(x.kid),
    jwk: x.jwk,
  }))
  return {
    description:
      'Barid sealed letters (spec/05-sealed-letter.md). Keys are private JWKs; kid = RFC 7638 SHA-256 thumbprint of the public JWK. ' +
      'The directory maps sender kids to addresses: a resolver returns the key only for its own address (else ERR_SENDER_MISMATCH; unknown kid: ERR_KEY_NOT_FOUND). ' +
      'Times: "now" in ms; inspect with now = the vector\'s now (default ' +
      NOW +
      '). Ephemeral keys are used in COSE recipient order: the i-th named key makes the i-th COSE recipient entry. ' +
      '"header" names the fields as the reference API does; their wire keys (spec 5.3) are: sender from, recipients to, ' +
      'contentType ct, threadId thread, replyTo re, category cat, visibleFrom nbf, replyBy reply, attachments att, ' +
      'keyCommitment commit, the others unchanged. "intermediates" holds, for each valid letter, the protected header ' +
      'bytes P (the wire form of the header, spec 5.2), Sig_structure (toBeSigned), Enc_structure with P as external AAD, ' +
      'the canonical content plaintext, the KDF context, and per COSE recipient entry the ECDH shared secret Z, the KEK ' +
      'and the wrapped CEK (spec 04, 4.5). A letter refused by "inspect" is refused whatever the reader\'s key; ' +
      '"open" entries name the key to open with.',
    now: NOW,
    keys,
    directory,
    valid,
    invalid,
  }
}
