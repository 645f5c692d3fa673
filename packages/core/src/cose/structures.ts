/**
 * @module cose/structures
 * The byte strings COSE signs and authenticates: Sig_structure (RFC 9052 section 4.4) and
 * Enc_structure (section 5.3). Built from CBOR heads and the members' bytes, so a large payload
 * is copied once rather than re-encoded.
 */
import { concatBytes, utf8 } from '../bytes.js'
import { cborHead } from './headers.js'

const EMPTY = new Uint8Array(0)

function bstr(b: Uint8Array): Uint8Array[] {
  return [cborHead(2, b.length), b]
}

function tstr(s: string): Uint8Array[] {
  const b = utf8(s)
  return [cborHead(3, b.length), b]
}

// The fixed start of a COSE_Sign1 Sig_structure: array(4), tstr "Signature1".
const SIGNATURE1_PREFIX = Uint8Array.of(0x84, 0x6a, ...utf8('Signature1'))

/** Length of a bstr of `n` bytes, head included (the head's forms are those of cborHead). */
function bstrLength(n: number): number {
  return n + (n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5)
}

/** Writes a bstr of `b` at `o`; returns the offset after it. */
function writeBstr(out: Uint8Array, o: number, b: Uint8Array): number {
  const h = cborHead(2, b.length)
  out.set(h, o)
  out.set(b, o + h.length)
  return o + h.length + b.length
}

/**
 * `Sig_structure`: `["Signature1", body_protected, external_aad, payload]` for COSE_Sign1, or
 * `["Signature", body_protected, sign_protected, external_aad, payload]` for COSE_Sign.
 * The protected header goes in as the exact bytes received (RFC 9052 section 4.4), never
 * re-encoded; the COSE_Sign1 form is written into one buffer, so a letter's payload is copied
 * once.
 */
export function sigStructure(
  bodyProtected: Uint8Array,
  externalAad: Uint8Array | undefined,
  payload: Uint8Array,
  signProtected?: Uint8Array,
): Uint8Array {
  if (signProtected === undefined) {
    const aad = externalAad ?? EMPTY
    const out = new Uint8Array(
      SIGNATURE1_PREFIX.length +
        bstrLength(bodyProtected.length) +
        bstrLength(aad.length) +
        bstrLength(payload.length),
    )
    out.set(SIGNATURE1_PREFIX, 0)
    let o = writeBstr(out, SIGNATURE1_PREFIX.length, bodyProtected)
    o = writeBstr(out, o, aad)
    writeBstr(out, o, payload)
    return out
  }
  return concatBytes(
    cborHead(4, 5),
    ...tstr('Signature'),
    ...bstr(bodyProtected),
    ...bstr(signProtected),
    ...bstr(externalAad ?? EMPTY),
    ...bstr(payload),
  )
}

/** `Enc_structure`: `[context, protected, external_aad]`, context "Encrypt" or "Encrypt0". */
export function encStructure(
  context: 'Encrypt' | 'Encrypt0',
  bodyProtected: Uint8Array,
  externalAad: Uint8Array | undefined,
): Uint8Array {
  return concatBytes(
    cborHead(4, 3),
    ...tstr(context),
    ...bstr(bodyProtected),
    ...bstr(externalAad ?? EMPTY),
  )
}
