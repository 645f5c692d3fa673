// Keys (spec 08, 8.1 and 8.2) and the COSE profile (spec 04), with node:crypto only.
import crypto from 'node:crypto'
import { CheckError, decode, encode, fail, Tag } from './cbor.mjs'

export const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'))
export const toHex = (b) => Buffer.from(b).toString('hex')
export const b64u = (b) => Buffer.from(b).toString('base64url')
export const fromB64u = (s) => Uint8Array.from(Buffer.from(s, 'base64url'))
export const sha256 = (...parts) =>
  Uint8Array.from(
    crypto
      .createHash('sha256')
      .update(Buffer.concat(parts.map((p) => Buffer.from(p))))
      .digest(),
  )
export const equal = (a, b) => Buffer.from(a).equals(Buffer.from(b))

/** 8.2: RFC 7638 thumbprint over the required members in lexicographic order. */
export function kidOf(jwk) {
  const json =
    jwk.kty === 'OKP'
      ? `{"crv":"${jwk.crv}","kty":"OKP","x":"${jwk.x}"}`
      : `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`
  return sha256(Buffer.from(json, 'utf8'))
}

export const publicJwk = (jwk) =>
  jwk.kty === 'OKP'
    ? { kty: 'OKP', crv: jwk.crv, x: jwk.x }
    : { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y }

export const publicKey = (jwk) => crypto.createPublicKey({ key: publicJwk(jwk), format: 'jwk' })
export const privateKey = (jwk) => crypto.createPrivateKey({ key: jwk, format: 'jwk' })

/** 20.3: a COSE_Key of a signing key to a JWK (OKP Ed25519 or EC2 P-256). */
export function coseKeyToJwk(m) {
  if (!(m instanceof Map)) fail('ERR_KEY_INVALID', 'COSE_Key not a map')
  const kty = m.get(1)
  const crv = m.get(-1)
  if (kty === 1 && crv === 6) return { kty: 'OKP', crv: 'Ed25519', x: b64u(m.get(-2)) }
  if (kty === 1 && crv === 4) return { kty: 'OKP', crv: 'X25519', x: b64u(m.get(-2)) }
  if (kty === 2 && crv === 1)
    return { kty: 'EC', crv: 'P-256', x: b64u(m.get(-2)), y: b64u(m.get(-3)) }
  return fail('ERR_UNSUPPORTED_ALGORITHM', `kty ${kty} crv ${crv}`)
}

const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n

/** 4.4: verifies the signature of a COSE_Sign1 over Sig_structure; alg -8 or -7. */
export function verifySignature(
  alg,
  jwk,
  protectedBytes,
  payload,
  signature,
  externalAad = new Uint8Array(),
) {
  const fits =
    (alg === -8 && jwk.crv === 'Ed25519') || (alg === -7 && jwk.kty === 'EC' && jwk.crv === 'P-256')
  if (!fits) fail('ERR_KEY_INVALID', `alg ${alg} with ${jwk.kty}/${jwk.crv}`)
  if (!(signature instanceof Uint8Array) || signature.length !== 64)
    fail('ERR_SIGNATURE_INVALID', 'length')
  const tbs = encode(['Signature1', protectedBytes, externalAad, payload])
  const key = publicKey(jwk)
  let ok
  if (alg === -8) ok = crypto.verify(null, tbs, key, signature)
  else {
    const s = BigInt('0x' + toHex(signature.subarray(32)))
    if (s > (P256_N - 1n) / 2n) fail('ERR_SIGNATURE_INVALID', 'high S')
    ok = crypto.verify('sha256', tbs, { key, dsaEncoding: 'ieee-p1363' }, signature)
  }
  if (!ok) fail('ERR_SIGNATURE_INVALID')
}

/**
 * 04, 4.2: verifySignature for a structure whose signer the verifier found by kid among keys it
 * trusts; the alg is part of what was signed, so a key it does not fit is a changed header.
 */
export function verifyKnownSigner(alg, jwk, protectedBytes, payload, signature) {
  try {
    verifySignature(alg, jwk, protectedBytes, payload, signature)
  } catch (e) {
    if (e instanceof CheckError && e.code === 'ERR_KEY_INVALID')
      fail('ERR_SIGNATURE_INVALID', e.message)
    throw e
  }
}

/** 4.4: signs Sig_structure (for reproducing Ed25519 structures byte for byte). */
export function sign(alg, jwk, protectedBytes, payload) {
  const tbs = encode(['Signature1', protectedBytes, new Uint8Array(), payload])
  if (alg === -8) return Uint8Array.from(crypto.sign(null, tbs, privateKey(jwk)))
  let sig = Uint8Array.from(
    crypto.sign('sha256', tbs, { key: privateKey(jwk), dsaEncoding: 'ieee-p1363' }),
  )
  const s = BigInt('0x' + toHex(sig.subarray(32)))
  if (s > (P256_N - 1n) / 2n) {
    const low = (P256_N - s).toString(16).padStart(64, '0')
    sig = Uint8Array.from([...sig.subarray(0, 32), ...hex(low)])
  }
  return sig
}

/**
 * Decodes a tagged COSE_Sign1 (4.1) and its protected header; checks shape only.
 * Returns { protectedBytes, protected: Map, unprotected: Map, payload, signature }.
 */
export function decodeSign1(
  bytes,
  { maxBytes, maxItems = 10000, understood = [], maxProtectedBytes = Infinity } = {},
) {
  const top = decode(bytes, { maxBytes, maxItems, tags: [18] })
  if (!(top instanceof Tag) || top.tag !== 18) fail('ERR_COSE_MALFORMED', 'not tag 18')
  const a = top.value
  if (!Array.isArray(a) || a.length !== 4) fail('ERR_COSE_MALFORMED', 'not a 4-array')
  const [p, u, payload, signature] = a
  if (!(p instanceof Uint8Array)) fail('ERR_COSE_MALFORMED', 'protected header type')
  // 4.1 rule 5: the size before any decoding of the header.
  if (p.length > maxProtectedBytes) fail('ERR_INPUT_TOO_LARGE', 'protected header')
  if (!(u instanceof Map)) fail('ERR_COSE_MALFORMED', 'unprotected header type')
  const prot = decode(p, { maxBytes: Infinity, maxItems })
  if (!(prot instanceof Map) || prot.size === 0)
    fail('ERR_COSE_MALFORMED', 'protected not a non-empty map')
  for (const k of u.keys())
    if (prot.has(k)) fail('ERR_COSE_MALFORMED', `label ${k} in both headers`)
  if (u.has(2)) fail('ERR_COSE_MALFORMED', 'crit outside the protected header')
  if (prot.has(2)) {
    const crit = prot.get(2)
    if (!Array.isArray(crit) || crit.length === 0) fail('ERR_COSE_MALFORMED', 'crit empty')
    for (const c of crit) {
      if (!prot.has(c)) fail('ERR_COSE_MALFORMED', `crit names ${c}, absent`)
      if (!understood.includes(c)) fail('ERR_COSE_CRITICAL_UNKNOWN', `crit ${c}`)
    }
  }
  if (!(payload instanceof Uint8Array) || !(signature instanceof Uint8Array))
    fail('ERR_COSE_MALFORMED', 'member types')
  const alg = prot.get(1)
  if (alg !== -8 && alg !== -7) fail('ERR_UNSUPPORTED_ALGORITHM', `alg ${alg}`)
  return { protectedBytes: p, protected: prot, unprotected: u, payload, signature, alg }
}

/** A256GCM (4.2) with the tag appended. */
export function gcmDecrypt(key, iv, aad, ct) {
  if (ct.length < 16) fail('ERR_DECRYPT_FAILED', 'short')
  const d = crypto.createDecipheriv('aes-256-gcm', key, iv)
  d.setAAD(aad)
  d.setAuthTag(ct.subarray(ct.length - 16))
  try {
    return Uint8Array.from(Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]))
  } catch {
    return fail('ERR_DECRYPT_FAILED', 'tag')
  }
}

export function gcmEncrypt(key, iv, aad, pt) {
  const c = crypto.createCipheriv('aes-256-gcm', key, iv)
  c.setAAD(aad)
  const body = Buffer.concat([c.update(pt), c.final()])
  return Uint8Array.from(Buffer.concat([body, c.getAuthTag()]))
}

const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex')
export function unwrap(kek, wrapped) {
  try {
    const d = crypto.createDecipheriv('id-aes256-wrap', kek, KW_IV)
    return Uint8Array.from(Buffer.concat([d.update(wrapped), d.final()]))
  } catch {
    return fail('ERR_DECRYPT_FAILED', 'key unwrap')
  }
}
export function wrap(kek, cek) {
  const c = crypto.createCipheriv('id-aes256-wrap', kek, KW_IV)
  return Uint8Array.from(Buffer.concat([c.update(cek), c.final()]))
}

export const RECIPIENT_PROTECTED = hex('a101381e')
export const CONTENT_PROTECTED = hex('a10103')

/** 4.5: COSE_KDF_Context, then HKDF-SHA-256 with an empty salt. */
export function kek(z) {
  const context = encode([-5, [null, null, null], [null, null, null], [256, RECIPIENT_PROTECTED]])
  return new Uint8Array(crypto.hkdfSync('sha256', z, new Uint8Array(), context, 32))
}

/**
 * ECDH between our private JWK and a peer public JWK; Z as 4.5 defines it. An all-zero X25519
 * Z (a small-order peer key) is ERR_KEY_INVALID (4.5); OpenSSL refuses to return it at all.
 */
export function ecdh(privJwk, pubJwk) {
  let z
  try {
    z = crypto.diffieHellman({ privateKey: privateKey(privJwk), publicKey: publicKey(pubJwk) })
  } catch (e) {
    if (pubJwk.crv === 'X25519' && e?.code === 'ERR_OSSL_FAILED_DURING_DERIVATION')
      fail('ERR_KEY_INVALID', 'all-zero X25519 shared secret')
    throw e
  }
  if (pubJwk.crv === 'X25519' && z.every((b) => b === 0))
    fail('ERR_KEY_INVALID', 'all-zero X25519 shared secret')
  return Uint8Array.from(z)
}

/** 4.5: the ephemeral COSE_Key to a JWK; the exact allowed parameter sets. */
export function ephemeralJwk(m) {
  if (!(m instanceof Map)) fail('ERR_KEY_INVALID', 'ephemeral key not a map')
  const kty = m.get(1)
  const crv = m.get(-1)
  const keys = [...m.keys()].sort().join(',')
  if (kty === 2 && crv === 1) {
    if (keys !== [-3, -2, -1, 1].sort().join(',')) fail('ERR_KEY_INVALID', 'P-256 parameters')
    const x = m.get(-2)
    const y = m.get(-3)
    if (
      !(x instanceof Uint8Array) ||
      x.length !== 32 ||
      !(y instanceof Uint8Array) ||
      y.length !== 32
    ) {
      fail('ERR_KEY_INVALID', 'P-256 coordinates')
    }
    const jwk = { kty: 'EC', crv: 'P-256', x: b64u(x), y: b64u(y) }
    try {
      publicKey(jwk)
    } catch {
      fail('ERR_KEY_INVALID', 'off curve')
    }
    return jwk
  }
  if (kty === 1 && crv === 4) {
    if (keys !== [-2, -1, 1].sort().join(',')) fail('ERR_KEY_INVALID', 'X25519 parameters')
    const x = m.get(-2)
    if (!(x instanceof Uint8Array) || x.length !== 32) fail('ERR_KEY_INVALID', 'X25519 x')
    return { kty: 'OKP', crv: 'X25519', x: b64u(x) }
  }
  return fail('ERR_UNSUPPORTED_ALGORITHM', `ephemeral kty ${kty} crv ${crv}`)
}

export function jwkToEphemeralCose(jwk) {
  const m = new Map([
    [1, jwk.kty === 'OKP' ? 1 : 2],
    [-1, jwk.kty === 'OKP' ? 4 : 1],
    [-2, fromB64u(jwk.x)],
  ])
  if (jwk.kty === 'EC') m.set(-3, fromB64u(jwk.y))
  return m
}
