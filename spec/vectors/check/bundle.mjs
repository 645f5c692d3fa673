// Evidence bundles verified offline (spec 21.7, 16.8).
import { CheckError, decode, fail } from './cbor.mjs'
import { equal, toHex } from './cose.mjs'
import { verifyChain } from './evidence.mjs'
import { parseCertificate, baridIdentity } from './x509.mjs'
import {
  revocationStatus,
  speaksFor,
  verifyRevocationList,
  verifyTrustList,
} from './trust.mjs'
import { leafHash, verifyCheckpoint, verifyCosignature, verifyInclusion } from './transparency.mjs'

const MAX_BUNDLE = 68 * 1024 * 1024
const MAX_LIST = 4 * 1024 * 1024
const isTime = (t) => Number.isSafeInteger(t) && t >= 0 && t <= 253402300799
const isBytes = (b, min, max) => b instanceof Uint8Array && b.length >= min && b.length <= max

/** 21.7 step 1 with the CDDL's evidence-bundle. */
export function decodeBundle(bytes) {
  const invalid = (m) => fail('ERR_EVIDENCE_BUNDLE_MALFORMED', m)
  if (bytes.length > MAX_BUNDLE) fail('ERR_INPUT_TOO_LARGE', 'bundle')
  let m
  try {
    m = decode(bytes, { maxBytes: MAX_BUNDLE, maxItems: 1_000_000 })
  } catch (e) {
    if (e instanceof CheckError && e.code !== 'ERR_INPUT_TOO_LARGE') invalid(e.message)
    throw e
  }
  if (!(m instanceof Map)) invalid('not a map')
  if (m.get('v') !== 1) {
    if (m.has('v')) fail('ERR_UNSUPPORTED_VERSION', `v ${m.get('v')}`)
    invalid('no v')
  }
  const fields = ['v', 'records', 'certs', 'revocations', 'log', 'retired-keys']
  for (const k of m.keys()) if (!fields.includes(k)) invalid(`field ${k}`)
  for (const k of fields.slice(0, 4)) if (!m.has(k)) invalid(`no ${k}`)
  const list = (k, min, max, ok) => {
    const a = m.get(k)
    if (!Array.isArray(a) || a.length < min || a.length > max) invalid(k)
    for (const x of a) if (!ok(x)) invalid(`an entry of ${k}`)
    return a
  }
  const records = list('records', 1, 64, (r) => isBytes(r, 1, 8192))
  const certs = list('certs', 0, 32, (c) => isBytes(c, 1, 16384))
  const revocations = m.get('revocations')
  if (Array.isArray(revocations))
    for (const [i, r] of revocations.entries())
      if (r instanceof Uint8Array && r.length > MAX_LIST)
        fail('ERR_INPUT_TOO_LARGE', `revocation list ${i}`)
  list('revocations', 0, 16, (r) => isBytes(r, 1, MAX_LIST))
  const has = (x, keys, optional = []) =>
    x instanceof Map &&
    keys.every((k) => x.has(k)) &&
    [...x.keys()].every((k) => keys.includes(k) || optional.includes(k))
  const log = m.has('log')
    ? list('log', 0, 64, (e) => {
        if (!has(e, ['record', 'checkpoint', 'proof', 'cosignatures'])) return false
        const p = e.get('proof')
        return (
          Number.isSafeInteger(e.get('record')) &&
          e.get('record') >= 0 &&
          isBytes(e.get('checkpoint'), 1, 1024) &&
          has(p, ['index', 'size', 'path']) &&
          Number.isSafeInteger(p.get('index')) &&
          p.get('index') >= 0 &&
          Number.isSafeInteger(p.get('size')) &&
          p.get('size') >= 1 &&
          Array.isArray(p.get('path')) &&
          p.get('path').length <= 128 &&
          p.get('path').every((h) => isBytes(h, 32, 32)) &&
          Array.isArray(e.get('cosignatures')) &&
          e.get('cosignatures').length <= 16 &&
          e.get('cosignatures').every((c) => isBytes(c, 1, 1024))
        )
      })
    : []
  for (const e of log) if (e.get('record') >= records.length) invalid('log entry of no record')
  // 21.7: at most one log entry per record.
  const logged = log.map((e) => e.get('record'))
  if (new Set(logged).size !== logged.length) invalid('two log entries for one record')
  const retired = m.has('retired-keys')
    ? list(
        'retired-keys',
        0,
        32,
        (e) => has(e, ['kid', 'retired']) && isBytes(e.get('kid'), 32, 32) && isTime(e.get('retired')),
      )
    : []
  const kids = retired.map((e) => toHex(e.get('kid')))
  if (new Set(kids).size !== kids.length) invalid('a kid twice in retired-keys')
  return { records, certs, revocations, log, retired }
}

/**
 * 21.7 steps 1 to 6 at `now` (seconds) against the trust list `trustList` (bytes), verified with
 * `governanceKeys` (JWKs). Returns { revocation, records, log } as the vectors state them.
 */
export function verifyBundle(bytes, { trustList, governanceKeys, now }) {
  const b = decodeBundle(bytes)
  const list = verifyTrustList(trustList, { bootstrap: governanceKeys, now })
  // Step 3: each revocation list under the operator whose CA signed it.
  const installed = b.revocations.map((r) => {
    const kid = signerKid(r)
    const op = list.operators.find((o) => o.cas.some((e) => equal(e.cert.kid, kid)))
    if (!op) fail('ERR_REVOCATION_LIST_UNTRUSTED', 'signed by no listed CA')
    return verifyRevocationList(r, list, op.id)
  })
  const certs = b.certs.map((c) => parseCertificate(c))
  const certByKid = (kid) =>
    certs.find((c) => c.kid && equal(c.kid, kid)) ?? fail('ERR_KEY_NOT_FOUND', toHex(kid))
  // Step 4
  const chain = verifyChain(b.records, (kid) => {
    const c = certByKid(kid)
    return { jwk: c.jwk, issuer: baridIdentity(c)?.operator }
  })
  // Step 5
  const revocation =
    b.revocations.length === 0 ? undefined : (t) => (c) => revocationStatus(installed, c, t)
  const verifiedCerts = []
  const records = chain.map(({ payload, kid }, i) => {
    const time = payload.get('time')
    const t = Math.floor(time / 1000)
    const issuer = payload.get('issuer')
    const cert = certByKid(kid)
    speaksFor(list, cert, issuer, t, 'node', revocation?.(t))
    verifiedCerts.push(cert)
    const r = b.retired.find((e) => equal(e.get('kid'), kid))
    if (r && t >= r.get('retired')) fail('ERR_KEY_RETIRED', `record ${i}`)
    if (t > now + 300) fail('ERR_EVIDENCE_TIME_INVALID', `record ${i} after now`)
    const out = { type: payload.get('type'), issuer, time, signedAt: t, kid: toHex(kid) }
    if (payload.has('recipient')) out.recipient = payload.get('recipient')
    return out
  })
  // Step 6
  const keyOf = (kid) => {
    const c = certByKid(kid)
    return { jwk: c.jwk, operator: baridIdentity(c)?.operator, cert: c }
  }
  // A certificate not verified in step 5 must speak for the operator at the statement's time.
  const bound = (kid, operator, t) => {
    const c = certByKid(kid)
    if (!verifiedCerts.includes(c)) speaksFor(list, c, operator, t, 'node', revocation?.(t))
  }
  const checkpoints = []
  const log = b.log.map((e) => {
    const i = e.get('record')
    const record = records[i]
    const cpBytes = e.get('checkpoint')
    const cp = verifyCheckpoint(cpBytes, (kid) => keyOf(kid))
    bound(kidIn(cpBytes), cp.log, cp.time)
    if (cp.log !== record.issuer) fail('ERR_CHECKPOINT_INVALID', 'not the log of the issuer')
    const p = e.get('proof')
    if (p.get('size') !== cp.size) fail('ERR_PROOF_INVALID', 'size is not the checkpoint size')
    verifyInclusion(leafHash(b.records[i]), p.get('index'), p.get('size'), p.get('path'), cp.root)
    if (record.signedAt > cp.time + 300)
      fail('ERR_EVIDENCE_TIME_INVALID', `record ${i} after its checkpoint`)
    const witnesses = []
    for (const c of e.get('cosignatures')) {
      const w = verifyCosignature(c, cpBytes, (kid) => keyOf(kid))
      bound(kidIn(c), w.witness, w.time)
      if (witnesses.includes(w.witness))
        fail('ERR_WITNESS_STATEMENT_INVALID', `two cosignatures by ${w.witness}`)
      witnesses.push(w.witness)
    }
    checkpoints.push(cp)
    return {
      record: i,
      logId: cp.log,
      epoch: cp.epoch,
      index: p.get('index'),
      size: p.get('size'),
      time: cp.time,
      witnesses: witnesses.filter((w) => w !== cp.log),
    }
  })
  // 16.7 rule 2 within the bundle.
  for (const a of checkpoints)
    for (const c of checkpoints)
      if (a.log === c.log && a.epoch === c.epoch) {
        if (a.size === c.size && !equal(a.root, c.root)) fail('ERR_LOG_INCONSISTENT', 'one size')
        if (a.time > c.time && a.size < c.size) fail('ERR_LOG_INCONSISTENT', 'rollback')
      }
  return {
    revocation: revocation ? 'checked' : 'not-checked',
    records,
    log,
    retiredKeys: b.retired.map((e) => ({ kid: toHex(e.get('kid')), retired: e.get('retired') })),
    letter: { id: chain[0].payload.get('letter'), digest: chain[0].payload.get('digest') },
    certs: certs.map((c) => toHex(c.der)),
  }
}

const signerKid = (bytes) => {
  const k = protectedOf(bytes).get(4)
  return k instanceof Uint8Array ? k : new Uint8Array()
}
const kidIn = (bytes) => signerKid(bytes)
function protectedOf(bytes) {
  try {
    const top = decode(bytes, { maxBytes: MAX_LIST, maxItems: 400000, tags: [18] })
    const p = decode(top.value[0], { maxBytes: Infinity })
    return p instanceof Map ? p : new Map()
  } catch {
    return new Map()
  }
}
