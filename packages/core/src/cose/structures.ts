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

/**
 * `Sig_structure`: `["Signature1", body_protected, external_aad, payload]` for COSE_Sign1, or
 * `["Signature", body_protected, sign_protected, external_aad, payload]` for COSE_Sign.
 */
export function sigStructure(
  bodyProtected: Uint8Array,
  externalAad: Uint8Array | undefined,
  payload: Uint8Array,
  signProtected?: Uint8Array,
): Uint8Array {
  const parts =
    signProtected === undefined
      ? [cborHead(4, 4), ...tstr('Signature1'), ...bstr(bodyProtected)]
      : [cborHead(4, 5), ...tstr('Signature'), ...bstr(bodyProtected), ...bstr(signProtected)]
  return concatBytes(...parts, ...bstr(externalAad ?? EMPTY), ...bstr(payload))
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
