// Evidence records (spec 07).
import { CheckError, decode, encode, fail, Tag } from './cbor.mjs'
import { decodeSign1, equal, kidOf, sha256, sign, verifyKnownSigner } from './cose.mjs'
import { canonicalMailbox, canonicalOperator } from './addresses.mjs'

const TYP = 'application/barid-evidence+cose'
export const TYPES = {
  // type: [recipient, reason, ends the chain]; 'must', 'may', 'optional' or 'must-not'
  'submission-accepted': ['optional', 'must-not', false],
  'submission-rejected': ['optional', 'must', true],
  'relay-accepted': ['optional', 'must-not', false],
  'relay-rejected': ['optional', 'must', true],
  delivered: ['must', 'must-not', false],
  retrieved: ['must', 'must-not', true],
  'not-delivered': ['must', 'must', true],
  expired: ['must', 'may', true],
  'deemed-delivered': ['must', 'may', false],
  'handed-to-paper': ['must', 'may', true],
  'notification-failed': ['must', 'must', false],
}
const REASONS = [
  'mailbox-unknown',
  'mailbox-closed',
  'mailbox-full',
  'refused-by-recipient',
  'not-retrieved',
  'operator-unreachable',
  'policy',
  'recipient-exempt',
  'channel-failed',
]
const KEYS = [
  'v',
  'type',
  'letter',
  'digest',
  'issuer',
  'time',
  'recipient',
  'reason',
  'prev',
  'detail',
]
const malformed = (m) => fail('ERR_EVIDENCE_MALFORMED', m)
const isBytes = (v, n) => v instanceof Uint8Array && v.length === n

const asEvidence = (fn) => {
  try {
    return fn()
  } catch (e) {
    if (
      e instanceof CheckError &&
      (e.code.startsWith('ERR_CBOR_') ||
        e.code === 'ERR_COSE_MALFORMED' ||
        e.code === 'ERR_ADDRESS_INVALID')
    ) {
      fail('ERR_EVIDENCE_MALFORMED', e.message)
    }
    throw e
  }
}

function checkPayload(p) {
  if (!(p instanceof Map)) malformed('payload not a map')
  if (p.has('v') && p.get('v') !== 1) fail('ERR_UNSUPPORTED_VERSION', `v ${p.get('v')}`)
  for (const k of p.keys()) if (!KEYS.includes(k)) malformed(`unknown key ${k}`)
  for (const k of ['v', 'type', 'letter', 'digest', 'issuer', 'time', 'prev'])
    if (!p.has(k)) malformed(`missing ${k}`)
  const rule = TYPES[p.get('type')]
  if (!rule) malformed(`type ${p.get('type')}`)
  if (!isBytes(p.get('letter'), 16)) malformed('letter')
  if (!isBytes(p.get('digest'), 32)) malformed('digest')
  canonicalOperator(p.get('issuer'))
  const t = p.get('time')
  if (!Number.isSafeInteger(t) || t < 0) malformed('time')
  if (p.get('prev') !== null && !isBytes(p.get('prev'), 32)) malformed('prev')
  if (p.has('recipient')) canonicalMailbox(p.get('recipient'))
  if (rule[0] === 'must' && !p.has('recipient')) malformed('recipient required')
  if (p.has('reason')) {
    const r = p.get('reason')
    if (typeof r !== 'string' || !(REASONS.includes(r) || /^ERR_[A-Z0-9_]+$/.test(r)))
      malformed('reason')
  }
  if (rule[1] === 'must' && !p.has('reason')) malformed('reason required')
  if (rule[1] === 'must-not' && p.has('reason')) malformed('reason not allowed')
  if (p.has('detail')) {
    const d = p.get('detail')
    const n = typeof d === 'string' ? [...d].length : 0
    if (n < 1 || n > 512 || /[\u0000-\u001f\u007f-\u009f]/.test(d)) malformed('detail')
  }
}

/** 7.5; `resolve(kid)` returns { jwk, issuer } or throws ERR_KEY_NOT_FOUND. */
export function verifyEvidence(bytes, resolve) {
  if (bytes.length > 8192) fail('ERR_INPUT_TOO_LARGE', 'record')
  const s = asEvidence(() => decodeSign1(bytes, { maxBytes: 8192 }))
  asEvidence(() => {
    const p = s.protected
    if (p.size !== 3 || !isBytes(p.get(4), 32) || p.get(16) !== TYP)
      fail('ERR_COSE_MALFORMED', 'protected header')
    if (s.unprotected.size !== 0) fail('ERR_COSE_MALFORMED', 'unprotected header')
  })
  const { jwk, issuer } = resolve(s.protected.get(4))
  verifyKnownSigner(s.alg, jwk, s.protectedBytes, s.payload, s.signature)
  const payload = asEvidence(() => decode(s.payload, { maxBytes: 8192 }))
  asEvidence(() => checkPayload(payload))
  if (payload.get('issuer') !== issuer) fail('ERR_EVIDENCE_ISSUER_MISMATCH')
  return { payload, digest: sha256(bytes), kid: s.protected.get(4) }
}

/** 7.6 */
export function verifyChain(records, resolve) {
  if (records.length < 1 || records.length > 64) fail('ERR_EVIDENCE_CHAIN_BROKEN', 'length')
  const v = records.map((r) => verifyEvidence(r, resolve))
  const broken = (m) => fail('ERR_EVIDENCE_CHAIN_BROKEN', m)
  let recipient
  v.forEach(({ payload: p }, i) => {
    if (i === 0) {
      if (p.get('prev') !== null) broken('first record has a predecessor')
    } else {
      const prev = v[i - 1]
      if (p.get('prev') === null || !equal(p.get('prev'), prev.digest))
        broken(`prev of record ${i}`)
      if (
        !equal(p.get('letter'), v[0].payload.get('letter')) ||
        !equal(p.get('digest'), v[0].payload.get('digest'))
      )
        broken('another letter')
      if (recipient !== undefined && p.get('recipient') !== recipient) broken('recipient changed')
      if (TYPES[prev.payload.get('type')][2]) broken('record after a terminal one')
    }
    if (p.has('recipient')) recipient = p.get('recipient')
  })
  return v
}

/** 7.1; with an ES256 key the signature is randomised (only the other bytes reproduce). */
export function createEvidence(jwk, payload) {
  const alg = jwk.kty === 'EC' ? -7 : -8
  const P = encode(
    new Map([
      [1, alg],
      [4, kidOf(jwk)],
      [16, TYP],
    ]),
  )
  const body = encode(payload)
  return encode(new Tag(18, [P, new Map(), body, sign(alg, jwk, P, body)]))
}
