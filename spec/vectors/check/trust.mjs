// The trust list (spec 20), the binding of a certificate to an operator (21.3) and revocation
// lists (21.6.1).
import { CheckError, decode, fail } from './cbor.mjs'
import {
  coseKeyToJwk,
  decodeSign1,
  equal,
  kidOf,
  toHex,
  verifyKnownSigner,
  verifySignature,
} from './cose.mjs'
import { canonicalOperator } from './addresses.mjs'
import { baridIdentity, inferRole, parseCertificate, validate } from './x509.mjs'

const TYP = {
  trustList: 'application/barid-trust-list+cose',
  revocationList: 'application/barid-revocation-list+cose',
}
const MAX_TIME = 253402300799
const isTime = (t) => Number.isSafeInteger(t) && t >= 0 && t <= MAX_TIME
const isBytes = (b, min, max) => b instanceof Uint8Array && b.length >= min && b.length <= max
const utf8Size = (s) => Buffer.byteLength(s, 'utf8')
const onlyKeys = (m, required, optional, invalid) => {
  if (!(m instanceof Map)) invalid('not a map')
  for (const k of m.keys()) if (!required.includes(k) && !optional.includes(k)) invalid(`field ${k}`)
  for (const k of required) if (!m.has(k)) invalid(`no ${k}`)
}
const sortedUnique = (xs, key, invalid, what) => {
  for (let i = 1; i < xs.length; i++)
    if (Buffer.compare(Buffer.from(key(xs[i - 1])), Buffer.from(key(xs[i]))) >= 0)
      invalid(`${what} not sorted or repeated`)
}
const unique = (xs, invalid, what) => {
  if (new Set(xs).size !== xs.length) invalid(`${what} repeated`)
}

/**
 * 20.2: the envelope shared by trust lists, revocation lists and discovery documents. Shape
 * errors of COSE are ERR_COSE_MALFORMED, the header rules `code`.
 */
export function openSigned(bytes, typ, code, { maxBytes, maxItems }) {
  if (bytes.length > maxBytes) fail('ERR_INPUT_TOO_LARGE', `${bytes.length} bytes`)
  let s
  try {
    s = decodeSign1(bytes, { maxBytes, maxItems })
  } catch (e) {
    if (e instanceof CheckError && e.code.startsWith('ERR_CBOR_'))
      fail('ERR_COSE_MALFORMED', e.message)
    throw e
  }
  const p = s.protected
  if (p.size !== 3 || !isBytes(p.get(4), 32, 32) || p.get(16) !== typ)
    fail(code, 'protected header')
  if (s.unprotected.size !== 0) fail(code, 'unprotected header')
  return { ...s, kid: p.get(4) }
}

function payloadMap(bytes, code, maxItems) {
  let m
  try {
    m = decode(bytes, { maxBytes: Infinity, maxItems })
  } catch (e) {
    if (e instanceof CheckError) fail(code, e.message)
    throw e
  }
  if (!(m instanceof Map)) fail(code, 'payload not a map')
  if (m.get('v') !== 1) {
    if (m.has('v')) fail('ERR_UNSUPPORTED_VERSION', `v ${m.get('v')}`)
    fail(code, 'no v')
  }
  return m
}

const signingKey = (m, invalid) => {
  if (!(m instanceof Map)) invalid('key')
  const keys = [...m.keys()].sort((a, b) => a - b).join(',')
  if (m.get(1) === 1 && m.get(-1) === 6 && keys === '-2,-1,1' && isBytes(m.get(-2), 32, 32))
    return coseKeyToJwk(m)
  if (
    m.get(1) === 2 &&
    m.get(-1) === 1 &&
    keys === '-3,-2,-1,1' &&
    isBytes(m.get(-2), 32, 32) &&
    isBytes(m.get(-3), 32, 32)
  )
    return coseKeyToJwk(m)
  return invalid('key')
}

/** 20.3.3 */
export function isEndpoint(s) {
  if (typeof s !== 'string' || utf8Size(s) < 1 || utf8Size(s) > 512) return false
  let u
  try {
    u = new URL(s)
  } catch {
    return false
  }
  const local = ['localhost', '127.0.0.1', '[::1]']
  return (
    u.href === s &&
    (u.protocol === 'https:' || (u.protocol === 'http:' && local.includes(u.hostname))) &&
    u.username === '' &&
    u.password === '' &&
    u.search === '' &&
    u.hash === '' &&
    !s.includes('?') &&
    !s.includes('#') &&
    s.endsWith('/')
  )
}

/** 20.3 and 20.3.1 (CDDL limits included). */
function checkPayload(m) {
  const invalid = (msg) => fail('ERR_TRUST_LIST_MALFORMED', msg)
  onlyKeys(
    m,
    ['v', 'federation', 'seq', 'issued', 'next-update', 'gov', 'roots', 'operators'],
    ['rollover'],
    invalid,
  )
  const fed = m.get('federation')
  if (typeof fed !== 'string' || utf8Size(fed) < 1 || utf8Size(fed) > 64) invalid('federation')
  const seq = m.get('seq')
  if (!Number.isSafeInteger(seq) || seq < 1) invalid('seq')
  if (!isTime(m.get('issued')) || !isTime(m.get('next-update'))) invalid('times')
  if (m.get('next-update') <= m.get('issued')) invalid('next-update not after issued')
  const gov = m.get('gov')
  if (!Array.isArray(gov) || gov.length < 1 || gov.length > 4) invalid('gov')
  const govJwks = gov.map((k) => signingKey(k, invalid))
  const govKids = govJwks.map((k) => toHex(kidOf(k)))
  unique(govKids, invalid, 'gov keys')
  let rollover = null
  if (m.has('rollover')) {
    rollover = signingKey(m.get('rollover'), invalid)
    if (govKids.includes(toHex(kidOf(rollover)))) invalid('rollover key in gov')
  }
  const roots = m.get('roots')
  if (!Array.isArray(roots) || roots.length < 1 || roots.length > 4) invalid('roots')
  for (const r of roots) if (!isBytes(r, 1, 16384)) invalid('root certificate')
  const ops = m.get('operators')
  if (!Array.isArray(ops) || ops.length > 1000) invalid('operators')
  for (const o of ops) checkOperator(o, invalid)
  sortedUnique(ops, (o) => Buffer.from(o.get('id')), invalid, 'operators')
  return { govJwks, rollover }
}

function checkOperator(o, invalid) {
  onlyKeys(o, ['id', 'country', 'names', 'endpoints', 'schemes', 'cas', 'status'], [], invalid)
  try {
    canonicalOperator(o.get('id'))
  } catch (e) {
    if (e instanceof CheckError) invalid('operator id')
    throw e
  }
  if (typeof o.get('country') !== 'string' || !/^[A-Z]{2}$/.test(o.get('country')))
    invalid('country')
  const names = o.get('names')
  onlyKeys(names, ['ar', 'da', 'en'], [], invalid)
  for (const n of names.values())
    if (typeof n !== 'string' || [...n].length < 1 || [...n].length > 200 || n.trim() === '')
      invalid('name')
  const eps = o.get('endpoints')
  if (!Array.isArray(eps) || eps.length < 1 || eps.length > 8) invalid('endpoints')
  for (const e of eps) if (!isEndpoint(e)) invalid(`endpoint ${e}`)
  unique(eps, invalid, 'endpoints')
  const schemes = o.get('schemes')
  if (!Array.isArray(schemes) || schemes.length > 16) invalid('schemes')
  for (const s of schemes)
    if (typeof s !== 'string' || !/^[a-z]{2}:[a-z0-9]{1,15}$/.test(s)) invalid('scheme')
  unique(schemes, invalid, 'schemes')
  const cas = o.get('cas')
  if (!Array.isArray(cas) || cas.length < 1 || cas.length > 8) invalid('cas')
  for (const c of cas) {
    onlyKeys(c, ['cert'], ['until'], invalid)
    if (!isBytes(c.get('cert'), 1, 16384)) invalid('ca cert')
    if (c.has('until') && !isTime(c.get('until'))) invalid('until')
  }
  const st = o.get('status')
  if (!Array.isArray(st) || st.length < 1 || st.length > 64) invalid('status')
  st.forEach((e, i) => {
    onlyKeys(e, ['state', 'from'], [], invalid)
    if (!['active', 'suspended', 'withdrawn'].includes(e.get('state'))) invalid('state')
    if (!isTime(e.get('from'))) invalid('from')
    if (i === 0 && e.get('state') !== 'active') invalid('status does not start active')
    if (i > 0 && e.get('from') <= st[i - 1].get('from')) invalid('from not increasing')
    if (i > 0 && e.get('state') === st[i - 1].get('state')) invalid('state repeated')
  })
}

/**
 * 20.5: verifies a candidate list. `bootstrap`: JWKs; `held`: a list this function returned,
 * or null; `now` in seconds. Returns { bytes, payload, federation, seq, issued, nextUpdate,
 * gov, rollover, roots, operators } with parsed certificates.
 */
export function verifyTrustList(bytes, { bootstrap, held = null, now, minSeq }) {
  const s = openSigned(bytes, TYP.trustList, 'ERR_TRUST_LIST_MALFORMED', {
    maxBytes: 4 * 1024 * 1024,
    maxItems: 200000,
  })
  const acceptable = held ? [...held.gov, ...(held.rollover ? [held.rollover] : [])] : bootstrap
  const signer = acceptable.find((k) => equal(kidOf(k), s.kid))
  if (!signer) {
    if (bootstrap.some((k) => equal(kidOf(k), s.kid)))
      fail('ERR_TRUST_LIST_SIGNER_RETIRED', 'a bootstrap key the held list retired')
    fail('ERR_TRUST_LIST_SIGNER_UNKNOWN', toHex(s.kid))
  }
  verifyKnownSigner(s.alg, signer, s.protectedBytes, s.payload, s.signature)
  const m = payloadMap(s.payload, 'ERR_TRUST_LIST_MALFORMED', 200000)
  const { govJwks, rollover } = checkPayload(m)
  if (!govJwks.some((k) => equal(kidOf(k), s.kid)))
    fail('ERR_TRUST_LIST_SIGNER_UNKNOWN', "signer not among the list's gov keys")
  if (m.get('issued') > now + 300) fail('ERR_TRUST_LIST_NOT_YET_VALID')
  if (held) {
    if (m.get('federation') !== held.federation) fail('ERR_TRUST_LIST_CONFLICT', 'federation')
    if (m.get('seq') < held.seq) fail('ERR_TRUST_LIST_ROLLBACK')
    if (m.get('seq') === held.seq && !equal(bytes, held.bytes))
      fail('ERR_TRUST_LIST_CONFLICT', 'one sequence, two lists')
    if (m.get('seq') > held.seq && m.get('issued') < held.issued)
      fail('ERR_TRUST_LIST_ROLLBACK', 'issued earlier')
  } else if (minSeq !== undefined && m.get('seq') < minSeq) fail('ERR_TRUST_LIST_ROLLBACK')
  // 20.3.2
  const roots = m.get('roots').map((d) => parseCertificate(d))
  for (const r of roots) {
    if (inferRole(r) !== 'federation-root') fail('ERR_CERT_PROFILE', 'root role')
    validate({ leaf: r, anchors: [r], role: 'federation-root', at: r.notBefore })
  }
  const operators = m.get('operators').map((o) => {
    const id = o.get('id')
    const cas = o.get('cas').map((e) => {
      const cert = parseCertificate(e.get('cert'))
      if (inferRole(cert) !== 'operator-ca') fail('ERR_CERT_PROFILE', `${id}: CA role`)
      const b = baridIdentity(cert)
      if (b?.kind !== 'operator' || b.operator !== id)
        fail('ERR_CERT_OPERATOR_MISMATCH', `${id}: CA names ${b?.operator}`)
      validate({ leaf: cert, anchors: roots, role: 'operator-ca', at: cert.notBefore })
      return { cert, until: e.get('until') ?? null }
    })
    return {
      id,
      endpoints: o.get('endpoints'),
      schemes: o.get('schemes'),
      cas,
      status: o.get('status').map((e) => ({ state: e.get('state'), from: e.get('from') })),
    }
  })
  return {
    bytes,
    payload: m,
    signerKid: s.kid,
    federation: m.get('federation'),
    seq: m.get('seq'),
    issued: m.get('issued'),
    nextUpdate: m.get('next-update'),
    gov: govJwks,
    rollover,
    roots,
    operators,
  }
}

/** 20.4: the state of an operator at T: active, suspended, withdrawn or unknown. */
export function stateAt(list, operator, t) {
  const o = list.operators.find((x) => x.id === operator)
  if (!o) return 'unknown'
  let state = 'unknown'
  for (const e of o.status) if (e.from <= t) state = e.state
  return state
}

const STATE_CODE = {
  unknown: 'ERR_OPERATOR_UNKNOWN',
  suspended: 'ERR_OPERATOR_SUSPENDED',
  withdrawn: 'ERR_OPERATOR_WITHDRAWN',
}

/**
 * 21.3 rules 2 to 5 (offline: no freshness rule): `cert` (DER or parsed) speaks for `operator`
 * at `t` in `role`. `revocation(cert)` returns 'good' | 'revoked' | 'unknown', or is
 * absent (not checked). Returns the validation result of 8.5.
 */
export function speaksFor(list, cert, operator, t, role, revocation) {
  const state = stateAt(list, operator, t)
  if (state !== 'active') fail(STATE_CODE[state], `${operator} at ${t}`)
  const c = cert instanceof Uint8Array ? parseCertificate(cert) : cert
  if (baridIdentity(c)?.operator !== operator)
    fail('ERR_CERT_OPERATOR_MISMATCH', `${baridIdentity(c)?.operator} is not ${operator}`)
  const o = list.operators.find((x) => x.id === operator)
  const candidates = o.cas.filter((e) => c.aki && e.cert.ski && equal(e.cert.ski, c.aki.keyId))
  const live = candidates.filter((e) => e.until === null || e.until > t)
  if (candidates.length > 0 && live.length === 0) fail('ERR_OPERATOR_CA_RETIRED')
  return validate({
    leaf: c,
    intermediates: live.map((e) => e.cert),
    anchors: list.roots,
    role,
    at: t,
    // Operator CAs are retired through the trust list, never revoked (21.6.1).
    revocation: revocation && {
      policy: 'hard-fail',
      hook: (x) => (x.basicConstraints?.ca ? 'good' : revocation(x)),
    },
  })
}

/**
 * 21.6.1: a revocation list of one of `operator`'s listed CAs. Returns { ca, seq, issued,
 * nextUpdate, revoked: [{ serial (hex), at, reason }] }.
 */
export function verifyRevocationList(bytes, list, operator) {
  const code = 'ERR_REVOCATION_LIST_MALFORMED'
  const invalid = (m) => fail(code, m)
  const s = openSigned(bytes, TYP.revocationList, code, {
    maxBytes: 4 * 1024 * 1024,
    maxItems: 400000,
  })
  const o = list.operators.find((x) => x.id === operator)
  const ca = o?.cas.find((e) => equal(e.cert.kid, s.kid))
  if (!ca) fail('ERR_REVOCATION_LIST_UNTRUSTED', 'kid of no listed CA of the operator')
  try {
    verifySignature(s.alg, ca.cert.jwk, s.protectedBytes, s.payload, s.signature)
  } catch (e) {
    if (e instanceof CheckError) fail('ERR_REVOCATION_LIST_UNTRUSTED', e.message)
    throw e
  }
  const m = payloadMap(s.payload, code, 400000)
  onlyKeys(m, ['v', 'operator', 'seq', 'issued', 'next-update', 'revoked'], [], invalid)
  if (m.get('operator') !== operator) fail('ERR_REVOCATION_LIST_UNTRUSTED', 'operator')
  if (!Number.isSafeInteger(m.get('seq')) || m.get('seq') < 1) invalid('seq')
  if (!isTime(m.get('issued')) || !isTime(m.get('next-update'))) invalid('times')
  if (m.get('next-update') <= m.get('issued')) invalid('next-update')
  const revoked = m.get('revoked')
  if (!Array.isArray(revoked) || revoked.length > 50000) invalid('revoked')
  for (const e of revoked) {
    onlyKeys(e, ['serial', 'at', 'reason'], [], invalid)
    if (!isBytes(e.get('serial'), 1, 21) || !isTime(e.get('at'))) invalid('entry')
    if (!['key-compromise', 'superseded', 'cessation'].includes(e.get('reason')))
      invalid('reason')
  }
  // Shorter first, then bytewise: the order of the serials' lengths, then their bytes.
  const key = (e) => Buffer.concat([Buffer.from([e.get('serial').length]), e.get('serial')])
  sortedUnique(revoked, key, invalid, 'revoked')
  return {
    ca: ca.cert,
    seq: m.get('seq'),
    issued: m.get('issued'),
    nextUpdate: m.get('next-update'),
    revoked: revoked.map((e) => ({
      serial: toHex(e.get('serial')),
      at: e.get('at'),
      reason: e.get('reason'),
    })),
  }
}

/** 21.6.1: a certificate issued by `ca` is revoked at T when its serial has at <= T. */
export function revocationStatus(lists, cert, t) {
  const mine = lists.filter(
    (l) => cert.aki && equal(l.ca.kid, cert.aki.keyId) && equal(l.ca.subject.bytes, cert.issuer.bytes),
  )
  if (mine.length === 0) return 'unknown'
  const newest = mine.reduce((a, b) => (b.seq > a.seq ? b : a))
  return newest.revoked.some((e) => e.serial === cert.serialHex && e.at <= t) ? 'revoked' : 'good'
}

/**
 * 22.3 steps 1 to 5 for operator X at `now`: returns { issued, expires, keys: [{ cert, kid,
 * retired, use }] }.
 */
export function verifyDiscovery(bytes, list, operator, now) {
  const code = 'ERR_DISCOVERY_MALFORMED'
  const invalid = (m) => fail(code, m)
  if (bytes.length > 65536) fail('ERR_INPUT_TOO_LARGE', 'discovery document')
  let s
  try {
    s = decodeSign1(bytes, { maxBytes: 65536 })
  } catch (e) {
    if (e instanceof CheckError && e.code.startsWith('ERR_CBOR_'))
      fail('ERR_COSE_MALFORMED', e.message)
    throw e
  }
  const p = s.protected
  if (
    p.size !== 4 ||
    !isBytes(p.get(4), 32, 32) ||
    p.get(16) !== 'application/barid-node-keys+cose' ||
    !isBytes(p.get(33), 1, 16384)
  )
    invalid('protected header')
  if (s.unprotected.size !== 0) invalid('unprotected header')
  const signerCert = parseCertificate(p.get(33))
  speaksFor(list, signerCert, operator, now, 'node')
  if (!equal(signerCert.kid, p.get(4))) invalid('kid is not the certificate key id')
  verifyKnownSigner(s.alg, signerCert.jwk, s.protectedBytes, s.payload, s.signature)
  const m = payloadMap(s.payload, code, 10000)
  onlyKeys(m, ['v', 'operator', 'issued', 'expires', 'keys'], [], invalid)
  if (typeof m.get('operator') !== 'string') invalid('operator')
  if (m.get('operator') !== operator) fail('ERR_CERT_OPERATOR_MISMATCH', m.get('operator'))
  const issued = m.get('issued')
  const expires = m.get('expires')
  if (!isTime(issued) || !isTime(expires) || !(issued < expires && expires <= issued + 604800))
    invalid('issued, expires')
  if (issued > now + 300) invalid('issued in the future')
  if (!(now < expires)) fail('ERR_DISCOVERY_EXPIRED')
  const ks = m.get('keys')
  if (!Array.isArray(ks) || ks.length < 1 || ks.length > 16) invalid('keys')
  const keys = ks.map((k) => {
    onlyKeys(k, ['cert'], ['retired', 'use'], invalid)
    const cert = parseCertificate(k.get('cert'))
    if (inferRole(cert) !== 'node') invalid('not a node certificate')
    if (baridIdentity(cert)?.operator !== operator) fail('ERR_CERT_OPERATOR_MISMATCH', 'key')
    if (k.has('retired') && !isTime(k.get('retired'))) invalid('retired')
    const use = k.get('use') ?? ['request-signing', 'evidence-signing']
    if (
      !Array.isArray(use) ||
      use.length < 1 ||
      use.length > 2 ||
      new Set(use).size !== use.length ||
      !use.every((u) => u === 'request-signing' || u === 'evidence-signing')
    )
      invalid('use')
    return { cert, kid: cert.kid, retired: k.get('retired') ?? null, use }
  })
  unique(keys.map((k) => toHex(k.kid)), invalid, 'keys')
  const me = keys.find((k) => equal(k.kid, p.get(4)))
  if (!me || (me.retired !== null && me.retired <= issued)) invalid('signer not listed and current')
  return { issued, expires, keys }
}
