// vectors/letter.json against spec 05 (and 04).
import { decode, encode, fail } from './cbor.mjs'
import {
  ecdh,
  ephemeralJwk,
  equal,
  hex,
  kek,
  kidOf,
  publicJwk,
  sha256,
  toHex,
  wrap,
} from './cose.mjs'
import { assert, assertEqual, vectors } from './harness.mjs'
import { inspectLetter, letterIdBytes, openLetter, sealLetter } from './letter.mjs'

// The vector's "header" uses descriptive names; these are the wire keys of 5.3 they stand for.
const WIRE = {
  v: 'v',
  id: 'id',
  sender: 'from',
  recipients: 'to',
  created: 'created',
  expires: 'expires',
  kind: 'kind',
  contentType: 'ct',
  lang: 'lang',
  threadId: 'thread',
  replyTo: 're',
  category: 'cat',
  visibleFrom: 'nbf',
  title: 'title',
  replyBy: 'reply',
  attachments: 'att',
  keyCommitment: 'commit',
}

function wireHeader(h) {
  const m = new Map()
  for (const [k, v] of Object.entries(h)) {
    const w = WIRE[k]
    if (w === undefined) fail('VECTOR', `header field ${k} has no wire key`)
    if (w === 'id' || w === 'thread' || w === 're') m.set(w, letterIdBytes(v))
    else if (w === 'commit') m.set(w, hex(v))
    else if (w === 'att')
      m.set(
        w,
        v.map(
          (a) =>
            new Map([
              ['id', a.id],
              ['size', a.size],
              ['sha256', hex(a.sha256)],
            ]),
        ),
      )
    else m.set(w, v)
  }
  return m
}

const sameValue = (a, b) => equal(encode(a), encode(b))

export function checkLetter(r) {
  const j = vectors('letter.json')
  const keys = new Map(j.keys.map((k) => [k.name, k.jwk]))
  r.check('letter: every kid is the RFC 7638 thumbprint of its key', () => {
    for (const k of j.keys) assertEqual(toHex(kidOf(k.jwk)), k.kid, k.name)
  })
  const resolve = (kid, from) => {
    const e = j.directory.find((d) => d.kid === toHex(kid))
    if (!e) fail('ERR_KEY_NOT_FOUND')
    if (e.address !== from) fail('ERR_SENDER_MISMATCH')
    return publicJwk(keys.get(e.key))
  }
  const defaultNow = Math.floor(j.now / 1000)
  for (const v of j.valid) {
    const bytes = hex(v.letter)
    r.check(`letter ${v.name}: digest is SHA-256 of the letter`, () =>
      assertEqual(toHex(sha256(bytes)), v.digest, 'digest'),
    )
    r.check(`letter ${v.name}: inspects, and its header is the vector's`, () => {
      const l = inspectLetter(bytes, resolve, Math.floor((v.input.now ?? j.now) / 1000))
      assert(sameValue(l.header, wireHeader(v.header)), 'header differs from the vector header')
      assertEqual(
        toHex(sha256(Buffer.from('barid-cek-commit-v1'), hex(v.input.random.cek))),
        v.header.keyCommitment,
        'commitment of the input CEK',
      )
    })
    for (const opener of v.openers) {
      r.check(`letter ${v.name}: opens with ${opener}`, () => {
        const o = openLetter(bytes, resolve, keys.get(opener))
        assertEqual(toHex(o.cek), v.input.random.cek, 'CEK')
        assertEqual(toHex(o.content.get('body')), v.input.body, 'body')
        assertEqual(o.content.get('subject'), v.input.subject, 'subject')
        const att = o.content
          .get('att')
          .map((a) => ({
            id: a.get('id'),
            key: toHex(a.get('key')),
            filename: a.get('name'),
            mediaType: a.get('type'),
          }))
        assertEqual(
          att,
          v.input.attachments.map((a) => ({
            id: a.id,
            key: a.key,
            filename: a.filename,
            mediaType: a.mediaType,
          })),
          'att',
        )
      })
    }
    r.check(`letter ${v.name}: intermediates (04, 4.4 and 4.5; 05, 5.2 and 5.5)`, () => {
      const im = v.intermediates
      if (im === undefined) fail('VECTOR', 'no intermediates')
      const outer = decode(bytes, { tags: [18], maxBytes: 1 << 24 })
      const [P, , payload] = outer.value
      assertEqual(toHex(P), im.protectedHeader, 'protected header')
      const prot = decode(P)
      assert(
        sameValue(prot.get(-65537), wireHeader(v.header)),
        'wire header differs from the vector header',
      )
      assertEqual(
        toHex(encode(['Signature1', P, new Uint8Array(), payload])),
        im.toBeSigned,
        'Sig_structure',
      )
      assertEqual(toHex(encode(['Encrypt', hex('a10103'), P])), im.encStructure, 'Enc_structure')
      assertEqual(
        im.kdfContext,
        '842483f6f6f683f6f6f68219010044a101381e',
        'KDF context (the literal of 4.5)',
      )
      assertEqual(
        toHex(encode([-5, [null, null, null], [null, null, null], [256, hex('a101381e')]])),
        im.kdfContext,
        'KDF context',
      )
      const content = new Map([
        ['body', hex(v.input.body)],
        [
          'att',
          v.input.attachments.map(
            (a) =>
              new Map([
                ['id', a.id],
                ['key', hex(a.key)],
                ['name', a.filename],
                ['type', a.mediaType],
              ]),
          ),
        ],
      ])
      if (v.input.subject !== undefined) content.set('subject', v.input.subject)
      assertEqual(toHex(encode(content)), im.content, 'content plaintext')
      const entries = decode(payload, { tags: [96], maxBytes: 1 << 24 }).value[3]
      assertEqual(entries.length, im.recipients.length, 'recipient entries')
      im.recipients.forEach((x, i) => {
        assertEqual(x.ephemeralKey, v.input.random.ephemeralKeys[i], `ephemeral key of entry ${i}`)
        assertEqual(toHex(kidOf(keys.get(x.key))), x.kid, `kid of entry ${i}`)
        assertEqual(toHex(entries[i][1].get(4)), x.kid, `kid in entry ${i}`)
        const z = ecdh(keys.get(x.ephemeralKey), publicJwk(keys.get(x.key)))
        assertEqual(toHex(z), x.sharedSecret, `Z of entry ${i}`)
        assertEqual(
          toHex(ecdh(keys.get(x.key), ephemeralJwk(entries[i][1].get(-1)))),
          x.sharedSecret,
          `Z from the recipient side, entry ${i}`,
        )
        const k = kek(z)
        assertEqual(toHex(k), x.kek, `KEK of entry ${i}`)
        assertEqual(
          toHex(wrap(k, hex(v.input.random.cek))),
          x.wrappedCek,
          `wrapped CEK of entry ${i}`,
        )
        assertEqual(toHex(entries[i][2]), x.wrappedCek, `wrapped CEK in entry ${i}`)
      })
    })
    r.check(
      `letter ${v.name}: reproduced from its input${v.deterministic ? ' byte for byte' : ' but for the signature'}`,
      () => {
        const i = v.input
        const signingJwk = keys.get(i.sender.signingKey)
        const recipients = []
        for (const rc of i.recipients) for (const k of rc.keys) recipients.push(keys.get(k))
        recipients.push(keys.get(i.sender.encryptionKey))
        const content = new Map([
          ['body', hex(i.body)],
          [
            'att',
            i.attachments.map(
              (a) =>
                new Map([
                  ['id', a.id],
                  ['key', hex(a.key)],
                  ['name', a.filename],
                  ['type', a.mediaType],
                ]),
            ),
          ],
        ])
        if (i.subject !== undefined) content.set('subject', i.subject)
        const x5 = i.sender.x5chain
        const out = sealLetter({
          alg: signingJwk.crv === 'Ed25519' ? -8 : -7,
          signingJwk,
          header: wireHeader(v.header),
          content,
          x5chain: x5 === undefined ? undefined : x5.length === 1 ? hex(x5[0]) : x5.map(hex),
          cek: hex(i.random.cek),
          iv: hex(i.random.iv),
          recipients: recipients.map((k) => ({ kid: kidOf(k), jwk: publicJwk(k) })),
          ephemerals: i.random.ephemeralKeys.map((n) => keys.get(n)),
        })
        const got = toHex(out)
        if (v.deterministic) assertEqual(got, v.letter, 'letter')
        else assertEqual(got.slice(0, -128), v.letter.slice(0, -128), 'letter but the signature')
      },
    )
  }
  for (const v of j.invalid) {
    const bytes = hex(v.letter)
    const now = Math.floor((v.now ?? j.now) / 1000)
    if (v.check === 'inspect')
      r.refuses(`letter invalid ${v.name}`, v.reason, () => inspectLetter(bytes, resolve, now))
    else
      r.refuses(`letter invalid ${v.name}`, v.reason, () =>
        openLetter(bytes, resolve, keys.get(v.key)),
      )
  }
}
