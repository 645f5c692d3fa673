// The transparency log (spec 16): RFC 9162 section 2.1 trees and proofs, checkpoints,
// cosignatures, fork statements and resets.
import { CheckError, decode, fail } from './cbor.mjs'
import { decodeSign1, equal, sha256, verifyKnownSigner } from './cose.mjs'
import { canonicalOperator } from './addresses.mjs'

export const EMPTY_ROOT = sha256(new Uint8Array())
export const leafHash = (d) => sha256(Uint8Array.of(0), d)
const node = (l, r) => sha256(Uint8Array.of(1), l, r)
const split = (n) => {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** 16.2: MTH over leaf hashes. */
export function mth(hashes) {
  if (hashes.length === 0) return EMPTY_ROOT
  if (hashes.length === 1) return hashes[0]
  const k = split(hashes.length)
  return node(mth(hashes.slice(0, k)), mth(hashes.slice(k)))
}

/** RFC 9162 2.1.3.1 */
export function inclusionPath(m, hashes) {
  if (hashes.length <= 1) return []
  const k = split(hashes.length)
  return m < k
    ? [...inclusionPath(m, hashes.slice(0, k)), mth(hashes.slice(k))]
    : [...inclusionPath(m - k, hashes.slice(k)), mth(hashes.slice(0, k))]
}

/** RFC 9162 2.1.4.1 */
export function consistencyPath(m, hashes) {
  const sub = (m, d, b) => {
    if (m === d.length) return b ? [] : [mth(d)]
    const k = split(d.length)
    return m <= k
      ? [...sub(m, d.slice(0, k), b), mth(d.slice(k))]
      : [...sub(m - k, d.slice(k), false), mth(d.slice(0, k))]
  }
  return m === 0 || m === hashes.length ? [] : sub(m, hashes, true)
}

const inclusionLength = (i, n) => {
  let len = 0
  while (n > 1) {
    const k = split(n)
    if (i < k) n = k
    else ((i -= k), (n -= k))
    len += 1
  }
  return len
}
const consistencyLength = (m, n) => {
  let len = 0
  let b = true
  while (m !== n) {
    const k = split(n)
    if (m <= k) n = k
    else ((m -= k), (n -= k), (b = false))
    len += 1
  }
  return len + (b ? 0 : 1)
}

const bad = (m) => fail('ERR_PROOF_INVALID', m)
const checkPath = (path, len) => {
  if (
    !Array.isArray(path) ||
    path.length !== len ||
    path.some((h) => !(h instanceof Uint8Array) || h.length !== 32)
  ) {
    bad(`path of ${path?.length} hashes, expected ${len}`)
  }
}

/** 16.3 rule 1, RFC 9162 2.1.3.2 */
export function verifyInclusion(leaf, index, size, path, root) {
  if (index >= size) bad('index not below size')
  checkPath(path, inclusionLength(index, size))
  let fn = BigInt(index)
  let sn = BigInt(size - 1)
  let r = leaf
  for (const p of path) {
    if (sn === 0n) bad('path too long')
    if ((fn & 1n) === 1n || fn === sn) {
      r = node(p, r)
      while ((fn & 1n) === 0n && fn !== 0n) ((fn >>= 1n), (sn >>= 1n))
    } else r = node(r, p)
    fn >>= 1n
    sn >>= 1n
  }
  if (sn !== 0n || !equal(r, root)) bad('root differs')
}

/** 16.3 rule 2, RFC 9162 2.1.4.2; returns nothing, throws ERR_PROOF_INVALID. */
export function verifyConsistency(first, second, path, firstRoot, secondRoot) {
  const r = consistencyRoots(first, second, path, firstRoot)
  // From size 0 the empty path proves only that the first root is the empty-tree root.
  if (!equal(r.first, firstRoot) || (r.second !== null && !equal(r.second, secondRoot)))
    bad('roots differ')
}

/** The roots a consistency path leads to (for fork statements of kind proof, 16.6 rule 5). */
export function consistencyRoots(first, second, path, firstRoot) {
  if (first > second) bad('first above second')
  if (first === second) {
    checkPath(path, 0)
    return { first: firstRoot, second: firstRoot }
  }
  if (first === 0) {
    checkPath(path, 0)
    return { first: EMPTY_ROOT, second: null }
  }
  checkPath(path, consistencyLength(first, second))
  const p = (first & (first - 1)) === 0 ? [firstRoot, ...path] : [...path]
  let fn = BigInt(first - 1)
  let sn = BigInt(second - 1)
  while ((fn & 1n) === 1n) ((fn >>= 1n), (sn >>= 1n))
  let fr = p[0]
  let sr = p[0]
  for (const c of p.slice(1)) {
    if (sn === 0n) bad('path too long')
    if ((fn & 1n) === 1n || fn === sn) {
      fr = node(c, fr)
      sr = node(c, sr)
      while ((fn & 1n) === 0n && fn !== 0n) ((fn >>= 1n), (sn >>= 1n))
    } else sr = node(sr, c)
    fn >>= 1n
    sn >>= 1n
  }
  if (sn !== 0n) bad('path too short')
  return { first: fr, second: sr }
}

const TYP = {
  checkpoint: 'application/barid-checkpoint+cose',
  cosignature: 'application/barid-cosignature+cose',
  fork: 'application/barid-fork-statement+cose',
  reset: 'application/barid-log-reset+cose',
}
const LIMIT = { checkpoint: 1024, cosignature: 1024, fork: 16384, reset: 1024 }

/**
 * 16.4.2 envelope, 16.4.3 steps 1 to 4: returns { payload, payloadBytes, operator }.
 * `resolve(kid, role)` returns { jwk, operator } or throws ERR_KEY_NOT_FOUND.
 */
function openEnvelope(bytes, kind, role, resolve, code) {
  const invalid = (m) => fail(code, m)
  // Step 1's envelope failures have section 04's codes (4.6); the kind's own code is for its
  // protected header and its payload.
  if (bytes.length > LIMIT[kind]) fail('ERR_INPUT_TOO_LARGE', 'too large')
  let s
  try {
    s = decodeSign1(bytes, { maxBytes: LIMIT[kind] })
  } catch (e) {
    if (e instanceof CheckError && e.code.startsWith('ERR_CBOR_'))
      fail('ERR_COSE_MALFORMED', e.message)
    throw e
  }
  const p = s.protected
  if (
    p.size !== 3 ||
    !(p.get(4) instanceof Uint8Array) ||
    p.get(4).length !== 32 ||
    p.get(16) !== TYP[kind]
  )
    invalid('protected header')
  if (s.unprotected.size !== 0) invalid('unprotected header')
  const { jwk, operator } = resolve(p.get(4), role)
  verifyKnownSigner(s.alg, jwk, s.protectedBytes, s.payload, s.signature)
  let payload
  try {
    payload = decode(s.payload, { maxBytes: LIMIT[kind] })
  } catch (e) {
    if (e instanceof CheckError) invalid(e.message)
    throw e
  }
  if (!(payload instanceof Map)) invalid('payload not a map')
  if (payload.get('v') !== 1) {
    if (payload.has('v')) fail('ERR_UNSUPPORTED_VERSION', `v ${payload.get('v')}`)
    invalid('no v')
  }
  return { payload, payloadBytes: s.payload, operator }
}

const isHash = (h) => h instanceof Uint8Array && h.length === 32
const isSize = (n) => Number.isSafeInteger(n) && n >= 0
const isTime = (t) => Number.isSafeInteger(t) && t >= 0 && t <= 253402300799
const onlyKeys = (m, keys, invalid) => {
  for (const k of m.keys()) if (!keys.includes(k)) invalid(`unknown field ${k}`)
}
const operatorOk = (s, invalid) => {
  try {
    canonicalOperator(s)
  } catch {
    invalid('operator id')
  }
}

/** 16.4.3 (without the freshness rule unless `now` is given). */
export function verifyCheckpoint(bytes, resolve, { log, now } = {}) {
  const invalid = (m) => fail('ERR_CHECKPOINT_INVALID', m)
  const {
    payload: c,
    payloadBytes,
    operator,
  } = openEnvelope(bytes, 'checkpoint', 'log', resolve, 'ERR_CHECKPOINT_INVALID')
  onlyKeys(c, ['v', 'log', 'size', 'root', 'time', 'epoch'], invalid)
  operatorOk(c.get('log'), invalid)
  if (!isSize(c.get('size')) || !isHash(c.get('root')) || !isTime(c.get('time')))
    invalid('field types')
  if (
    c.has('epoch') &&
    !(Number.isInteger(c.get('epoch')) && c.get('epoch') >= 1 && c.get('epoch') <= 2 ** 32 - 1)
  )
    invalid('epoch')
  if (c.get('size') === 0 && !equal(c.get('root'), EMPTY_ROOT)) invalid('empty-tree root')
  if (c.get('log') !== operator) invalid('log is not the key operator')
  if (log !== undefined && c.get('log') !== log) invalid('another log')
  if (now !== undefined && c.get('time') > now + 300) invalid('time ahead')
  return {
    log: c.get('log'),
    size: c.get('size'),
    root: c.get('root'),
    time: c.get('time'),
    epoch: c.get('epoch') ?? 0,
    digest: sha256(payloadBytes),
  }
}

/** 16.6 rule 4 */
export function verifyCosignature(bytes, checkpointBytes, resolve) {
  const code = 'ERR_WITNESS_STATEMENT_INVALID'
  const invalid = (m) => fail(code, m)
  const cp = verifyCheckpoint(checkpointBytes, resolve)
  const { payload: c, operator } = openEnvelope(bytes, 'cosignature', 'witness', resolve, code)
  onlyKeys(c, ['v', 'witness', 'checkpoint', 'time'], invalid)
  if (c.get('witness') !== operator) invalid('witness is not the key operator')
  if (!isHash(c.get('checkpoint')) || !equal(c.get('checkpoint'), cp.digest))
    invalid('checkpoint digest')
  if (!isTime(c.get('time'))) invalid('time')
  return { witness: operator, time: c.get('time'), checkpoint: cp }
}

/** 16.7 rule 2 */
export function verifyForkStatement(bytes, resolve) {
  const code = 'ERR_WITNESS_STATEMENT_INVALID'
  const invalid = (m) => fail(code, m)
  const { payload: f, operator } = openEnvelope(bytes, 'fork', 'witness', resolve, code)
  const kind = f.get('kind')
  onlyKeys(
    f,
    kind === 'proof'
      ? ['v', 'witness', 'time', 'kind', 'a', 'b', 'proof', 'prefix']
      : ['v', 'witness', 'time', 'kind', 'a', 'b'],
    invalid,
  )
  if (f.get('witness') !== operator) invalid('witness is not the key operator')
  if (!isTime(f.get('time'))) invalid('time')
  const a = verifyCheckpoint(f.get('a'), resolve)
  const b = verifyCheckpoint(f.get('b'), resolve)
  if (a.log !== b.log) invalid('two logs')
  if (a.epoch !== b.epoch) invalid('two epochs')
  if (kind === 'same-size') {
    if (a.size !== b.size || equal(a.root, b.root)) invalid('no same-size fork')
  } else if (kind === 'rollback') {
    const later = (x, y) => x.time > y.time && x.size < y.size
    if (!later(a, b) && !later(b, a)) invalid('no rollback')
  } else if (kind === 'proof') {
    if (!(a.size > 0 && a.size < b.size)) invalid('sizes')
    const prefix = f.get('prefix')
    if (!isHash(prefix) || equal(prefix, a.root)) invalid('prefix')
    try {
      verifyConsistency(a.size, b.size, f.get('proof'), prefix, b.root)
    } catch (e) {
      if (e instanceof CheckError) invalid(e.message)
      throw e
    }
  } else invalid(`kind ${kind}`)
  return { kind, a, b }
}

/** 16.12 rule 2; `resolve(kid, 'governance')`. */
export function verifyReset(bytes, resolve, { log, epoch } = {}) {
  const code = 'ERR_LOG_RESET_INVALID'
  const invalid = (m) => fail(code, m)
  const { payload: r } = openEnvelope(bytes, 'reset', 'governance', resolve, code)
  onlyKeys(r, ['v', 'log', 'epoch', 'time', 'restored', 'reason'], invalid)
  operatorOk(r.get('log'), invalid)
  const e = r.get('epoch')
  if (!Number.isInteger(e) || e < 1 || e > 2 ** 32 - 1) invalid('epoch')
  if (!isTime(r.get('time'))) invalid('time')
  const restored = r.get('restored')
  if (!(restored instanceof Map)) invalid('restored')
  onlyKeys(restored, ['size', 'root'], invalid)
  if (!isSize(restored.get('size')) || !isHash(restored.get('root'))) invalid('restored fields')
  if (restored.get('size') === 0 && !equal(restored.get('root'), EMPTY_ROOT))
    invalid('empty-tree root')
  if (r.has('reason') && (typeof r.get('reason') !== 'string' || [...r.get('reason')].length > 256))
    invalid('reason')
  if (log !== undefined && r.get('log') !== log) invalid('another log')
  if (epoch !== undefined && e !== epoch) invalid('another epoch')
  return {
    log: r.get('log'),
    epoch: e,
    time: r.get('time'),
    restored: { size: restored.get('size'), root: restored.get('root') },
    reason: r.get('reason'),
  }
}
