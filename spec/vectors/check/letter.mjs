// The sealed letter (spec 05): inspecting (5.7), opening (5.8) and sealing (5.5).
import { CheckError, decode, encode, fail, Tag } from './cbor.mjs'
import {
  CONTENT_PROTECTED,
  RECIPIENT_PROTECTED,
  decodeSign1,
  ecdh,
  ephemeralJwk,
  equal,
  gcmDecrypt,
  gcmEncrypt,
  jwkToEphemeralCose,
  kek,
  kidOf,
  sha256,
  sign,
  unwrap,
  verifySignature,
  wrap,
} from './cose.mjs'
import { canonicalMailbox } from './addresses.mjs'

const TYP = 'application/barid-letter+cose'
const MAX_LETTER = 16 * 1024 * 1024
const MAX_TIME = 2 ** 40
const HEADER_KEYS = [
  'v',
  'id',
  'from',
  'to',
  'created',
  'expires',
  'kind',
  'ct',
  'lang',
  'thread',
  're',
  'cat',
  'nbf',
  'title',
  'reply',
  'att',
  'commit',
]
const REQUIRED = [
  'v',
  'id',
  'from',
  'to',
  'created',
  'expires',
  'kind',
  'ct',
  'lang',
  'att',
  'commit',
]
const MEDIA_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=([A-Za-z0-9!#$&^_.+-]+|"[ !#-\[\]-~]*"))*$/
const LANG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/
const ATT_ID = /^[A-Za-z0-9._-]{1,64}$/
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

const malformed = (m) => fail('ERR_LETTER_MALFORMED', m)
const isBytes = (v, n) => v instanceof Uint8Array && (n === undefined || v.length === n)
const isTime = (v) => Number.isInteger(v) && v >= 0 && v <= MAX_TIME
const codePoints = (s) => [...s].length

/** 5.10 */
export function letterIdBytes(text) {
  return Uint8Array.from(Buffer.from(text.replace(/-/g, ''), 'hex'))
}
function checkLetterId(b) {
  if (!isBytes(b, 16)) malformed('letter id not 16 bytes')
  if (b[6] >> 4 !== 7 || b[8] >> 6 !== 2) malformed('letter id not a UUIDv7')
}

/** Maps the codes of the layers below to the letter's (5.7). */
function asLetter(fn, keyInvalid = 'ERR_LETTER_MALFORMED') {
  try {
    return fn()
  } catch (e) {
    if (!(e instanceof CheckError)) throw e
    if (
      e.code.startsWith('ERR_CBOR_') ||
      e.code === 'ERR_COSE_MALFORMED' ||
      e.code === 'ERR_ADDRESS_INVALID'
    ) {
      fail('ERR_LETTER_MALFORMED', e.message)
    }
    if (e.code === 'ERR_SIGNATURE_INVALID' || e.code === 'ERR_DECRYPT_FAILED')
      fail('ERR_LETTER_TAMPERED', e.message)
    if (e.code === 'ERR_KEY_INVALID') fail(keyInvalid, e.message)
    throw e
  }
}

/** 5.3 */
function checkHeader(h) {
  if (!(h instanceof Map)) malformed('header not a map')
  // 5.3: v first, absent or not 1 alike.
  if (h.get('v') !== 1) fail('ERR_UNSUPPORTED_VERSION', `v ${h.get('v')}`)
  for (const k of h.keys()) if (!HEADER_KEYS.includes(k)) malformed(`unknown header key ${k}`)
  for (const k of REQUIRED) if (!h.has(k)) malformed(`missing ${k}`)
  checkLetterId(h.get('id'))
  canonicalMailbox(h.get('from'))
  const to = h.get('to')
  if (!Array.isArray(to) || to.length < 1 || to.length > 1000) malformed('to')
  to.forEach(canonicalMailbox)
  if (new Set(to).size !== to.length) malformed('to not distinct')
  const created = h.get('created')
  const expires = h.get('expires')
  if (!isTime(created) || !isTime(expires) || expires <= created) malformed('times')
  const kind = h.get('kind')
  if (kind !== 'letter' && kind !== 'registered') malformed('kind')
  const ct = h.get('ct')
  if (typeof ct !== 'string' || ct.length < 1 || ct.length > 255 || !MEDIA_TYPE.test(ct))
    malformed('ct')
  const lang = h.get('lang')
  if (typeof lang !== 'string' || lang.length < 2 || lang.length > 35 || !LANG.test(lang))
    malformed('lang')
  for (const k of ['thread', 're']) if (h.has(k)) checkLetterId(h.get(k))
  if (h.has('cat')) {
    if (kind !== 'registered') malformed('cat on a letter')
    if (!['registered', 'proof-of-receipt', 'service-of-process'].includes(h.get('cat')))
      malformed('cat')
  }
  if (h.has('nbf')) {
    const nbf = h.get('nbf')
    if (!isTime(nbf) || nbf < created || nbf >= expires) malformed('nbf')
  }
  if (h.has('title')) {
    const t = h.get('title')
    if (typeof t !== 'string' || codePoints(t) < 1 || codePoints(t) > 120 || CONTROL.test(t))
      malformed('title')
  }
  if (h.has('reply')) {
    const r = h.get('reply')
    if (!isTime(r) || r <= created || (h.has('nbf') && r <= h.get('nbf'))) malformed('reply')
  }
  const att = h.get('att')
  if (!Array.isArray(att) || att.length > 64) malformed('att')
  const ids = new Set()
  for (const a of att) {
    if (!(a instanceof Map) || a.size !== 3) malformed('att entry')
    for (const k of a.keys()) if (!['id', 'size', 'sha256'].includes(k)) malformed(`att key ${k}`)
    const id = a.get('id')
    if (typeof id !== 'string' || !ATT_ID.test(id) || ids.has(id)) malformed('att id')
    ids.add(id)
    const size = a.get('size')
    if (!Number.isInteger(size) || size < 0 || size > 85899345926) malformed('att size')
    if (!isBytes(a.get('sha256'), 32)) malformed('att sha256')
  }
  if (!isBytes(h.get('commit'), 32)) malformed('commit')
}

/** 5.2, 5.7 step 2: the outer structure and its protected header. */
function readOuter(bytes) {
  if (bytes.length > MAX_LETTER) fail('ERR_INPUT_TOO_LARGE', 'letter')
  const s = asLetter(() =>
    decodeSign1(bytes, {
      maxBytes: MAX_LETTER,
      maxItems: 8192,
      understood: [-65537],
      maxProtectedBytes: 512 * 1024,
    }),
  )
  if (s.unprotected.size !== 0) malformed('unprotected header not empty')
  const p = s.protected
  for (const k of p.keys()) if (![1, 2, 3, 4, 16, 33, -65537].includes(k)) malformed(`label ${k}`)
  const alg = s.alg
  const crit = p.get(2)
  if (!Array.isArray(crit) || crit.length !== 1 || crit[0] !== -65537) malformed('crit')
  if (p.get(3) !== 96) malformed('content type')
  if (!isBytes(p.get(4), 32)) malformed('kid')
  if (p.get(16) !== TYP) malformed('typ')
  if (!p.has(-65537)) malformed('no letter header')
  const header = p.get(-65537)
  asLetter(() => checkHeader(header))
  if (p.has(33)) {
    const x = p.get(33)
    const entries = x instanceof Uint8Array ? [x] : x
    if (!Array.isArray(entries) || (Array.isArray(x) && x.length < 2)) malformed('x5chain shape')
    if (entries.length > 8) fail('ERR_INPUT_TOO_LARGE', 'x5chain count')
    for (const e of entries) {
      if (!(e instanceof Uint8Array) || e.length === 0) malformed('x5chain entry')
      if (e.length > 16384) fail('ERR_INPUT_TOO_LARGE', 'x5chain entry size')
    }
  }
  return { ...s, alg, kid: p.get(4), header }
}

/** 5.7 step 6 (and the parsing 5.8 needs). */
function readPayload(payload) {
  return asLetter(() => {
    const t = decode(payload, { maxBytes: MAX_LETTER, maxItems: 64080, tags: [96] })
    if (!(t instanceof Tag) || t.tag !== 96) fail('ERR_COSE_MALFORMED', 'payload tag')
    const a = t.value
    if (!Array.isArray(a) || a.length !== 4) fail('ERR_COSE_MALFORMED', 'payload shape')
    const [p, u, ct, recipients] = a
    if (!isBytes(p) || !equal(p, CONTENT_PROTECTED)) fail('ERR_COSE_MALFORMED', 'content protected')
    if (!(u instanceof Map) || u.size !== 1 || !isBytes(u.get(5), 12))
      fail('ERR_COSE_MALFORMED', 'content unprotected')
    if (!isBytes(ct)) fail('ERR_COSE_MALFORMED', 'ciphertext')
    if (!Array.isArray(recipients) || recipients.length < 1)
      fail('ERR_COSE_MALFORMED', 'recipients')
    if (recipients.length > 4001) fail('ERR_INPUT_TOO_LARGE', 'recipients')
    const kids = new Set()
    const entries = recipients.map((r) => {
      if (!Array.isArray(r) || r.length !== 3) fail('ERR_COSE_MALFORMED', 'recipient shape')
      const [rp, ru, wrapped] = r
      if (!isBytes(rp)) fail('ERR_COSE_MALFORMED', 'recipient protected')
      const rpm = decode(rp, { maxItems: 64080 })
      if (!(rpm instanceof Map) || rpm.get(1) !== -31 || rpm.size !== 1) {
        if (rpm instanceof Map && rpm.size === 1 && rpm.has(1))
          fail('ERR_UNSUPPORTED_ALGORITHM', 'recipient alg')
        fail('ERR_COSE_MALFORMED', 'recipient protected')
      }
      if (!(ru instanceof Map) || ru.size !== 2 || !isBytes(ru.get(4), 32) || !ru.has(-1)) {
        fail('ERR_COSE_MALFORMED', 'recipient unprotected')
      }
      if (!isBytes(wrapped, 40)) fail('ERR_COSE_MALFORMED', 'wrapped key')
      const kid = Buffer.from(ru.get(4)).toString('hex')
      if (kids.has(kid)) fail('ERR_COSE_MALFORMED', 'kids not unique')
      kids.add(kid)
      return { kid: ru.get(4), ephemeral: ephemeralJwk(ru.get(-1)), wrapped }
    })
    return { iv: u.get(5), ciphertext: ct, entries }
  })
}

/**
 * 5.7: the operator's checks. `resolve(kid, from)` returns the sender's public JWK or throws
 * ERR_KEY_NOT_FOUND / ERR_SENDER_MISMATCH; `now` in seconds, or null to skip step 5.
 */
export function inspectLetter(bytes, resolve, now) {
  const outer = readOuter(bytes)
  const key = resolve(outer.kid, outer.header.get('from'))
  asLetter(
    () => verifySignature(outer.alg, key, outer.protectedBytes, outer.payload, outer.signature),
    'ERR_LETTER_TAMPERED',
  )
  if (now !== null) {
    if (outer.header.get('created') > now + 300) fail('ERR_LETTER_CLOCK_SKEW')
    if (now >= outer.header.get('expires')) fail('ERR_LETTER_EXPIRED')
  }
  const payload = readPayload(outer.payload)
  return { ...outer, payloadParsed: payload }
}

/** 5.4 */
function checkContent(c, header) {
  if (!(c instanceof Map)) malformed('content not a map')
  for (const k of c.keys())
    if (!['body', 'subject', 'att'].includes(k)) malformed(`content key ${k}`)
  if (!isBytes(c.get('body')) || c.get('body').length > 15 * 1024 * 1024) malformed('body')
  if (c.has('subject')) {
    const s = c.get('subject')
    if (typeof s !== 'string' || codePoints(s) < 1 || codePoints(s) > 256 || CONTROL.test(s))
      malformed('subject')
  }
  const att = c.get('att')
  const ids = header.get('att').map((a) => a.get('id'))
  if (!Array.isArray(att) || att.length !== ids.length) malformed('content att')
  att.forEach((a, i) => {
    if (!(a instanceof Map) || a.size !== 4) malformed('content att entry')
    for (const k of a.keys())
      if (!['id', 'key', 'name', 'type'].includes(k)) malformed(`content att key ${k}`)
    if (a.get('id') !== ids[i]) malformed('content att ids')
    if (!isBytes(a.get('key'), 32)) malformed('att key')
    const n = a.get('name')
    if (
      typeof n !== 'string' ||
      codePoints(n) < 1 ||
      codePoints(n) > 255 ||
      CONTROL.test(n) ||
      /[/\\]/.test(n) ||
      n === '.' ||
      n === '..'
    ) {
      malformed('att name')
    }
    const t = a.get('type')
    if (typeof t !== 'string' || t.length > 255 || !MEDIA_TYPE.test(t)) malformed('att type')
  })
}

/** 5.8: opens with a private JWK; `address` optional. Returns { header, content, cek }. */
export function openLetter(bytes, resolve, privJwk, address) {
  const l = inspectLetter(bytes, resolve, null)
  const h = l.header
  if (address !== undefined && !h.get('to').includes(address) && h.get('from') !== address) {
    fail('ERR_NOT_A_RECIPIENT')
  }
  const myKid = kidOf(privJwk)
  const entry = l.payloadParsed.entries.find((e) => equal(e.kid, myKid))
  if (!entry) fail('ERR_NOT_A_RECIPIENT')
  if (entry.ephemeral.crv !== privJwk.crv) fail('ERR_KEY_INVALID', 'curve')
  // 5.8 step 4: an all-zero shared secret fails this step like any other, so it is tampering.
  const z = asLetter(() => ecdh(privJwk, entry.ephemeral), 'ERR_LETTER_TAMPERED')
  const cek = asLetter(() => unwrap(kek(z), entry.wrapped), 'ERR_LETTER_TAMPERED')
  if (!equal(sha256(Buffer.from('barid-cek-commit-v1'), cek), h.get('commit')))
    fail('ERR_LETTER_TAMPERED', 'commit')
  const { iv, ciphertext } = l.payloadParsed
  const aad = encode(['Encrypt', CONTENT_PROTECTED, l.protectedBytes])
  const plain = asLetter(() => gcmDecrypt(cek, iv, aad, ciphertext), 'ERR_LETTER_TAMPERED')
  const content = asLetter(() => decode(plain, { maxBytes: MAX_LETTER, maxItems: 592 }))
  checkContent(content, h)
  return { header: h, content, cek, outer: l }
}

/**
 * 5.5: seals from fixed randomness. `recipients` is [{ kid, jwk (public) }] in COSE order,
 * `ephemerals` the private JWKs to use, one per entry.
 */
export function sealLetter({
  alg,
  signingJwk,
  header,
  content,
  x5chain,
  cek,
  iv,
  recipients,
  ephemerals,
}) {
  const prot = new Map([
    [1, alg],
    [2, [-65537]],
    [3, 96],
    [4, kidOf(signingJwk)],
    [16, TYP],
    [-65537, header],
  ])
  if (x5chain !== undefined) prot.set(33, x5chain)
  const P = encode(prot)
  const aad = encode(['Encrypt', CONTENT_PROTECTED, P])
  const ct = gcmEncrypt(cek, iv, aad, encode(content))
  const entries = recipients.map((r, i) => {
    const eph = ephemerals[i]
    const wrapped = wrap(kek(ecdh(eph, r.jwk)), cek)
    return [
      RECIPIENT_PROTECTED,
      new Map([
        [4, r.kid],
        [-1, jwkToEphemeralCose(eph)],
      ]),
      wrapped,
    ]
  })
  const payload = encode(new Tag(96, [CONTENT_PROTECTED, new Map([[5, iv]]), ct, entries]))
  const signature = sign(alg, signingJwk, P, payload)
  return encode(new Tag(18, [P, new Map(), payload, signature]))
}
