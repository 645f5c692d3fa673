/**
 * @module error-codes
 * The closed table of error codes. Each entry: the HTTP status a node answers with, and the
 * one-line meaning that `spec/errors.md` repeats. Add codes to the section of the area they
 * belong to; never rename or reuse one (they are part of the wire protocol).
 */
export const ERROR_CODES = {
  // --- general --------------------------------------------------------------------------------
  ERR_INVALID_ARGUMENT: { http: 400, summary: 'A caller passed a value outside the function\'s contract.' },
  ERR_INPUT_TOO_LARGE: { http: 413, summary: 'Input exceeds a size, count or depth limit.' },
  ERR_UNSUPPORTED_ALGORITHM: { http: 400, summary: 'An algorithm identifier is unknown or not allowed.' },
  ERR_UNSUPPORTED_VERSION: { http: 400, summary: 'A protocol or format version is not supported.' },
  ERR_INTERNAL: { http: 500, summary: 'An unexpected internal failure; details are logged, not returned.' },

  // --- addresses and identifiers ---------------------------------------------------------------
  ERR_ADDRESS_INVALID: { http: 400, summary: 'A mailbox address or operator id is not well formed.' },
  ERR_IDENTIFIER_INVALID: { http: 400, summary: 'A participant identifier is not well formed for its scheme.' },
  ERR_IDENTIFIER_SCHEME_UNKNOWN: { http: 400, summary: 'A participant identifier names an unknown scheme.' },
  ERR_IDENTIFIER_CHECKSUM: { http: 400, summary: 'A participant identifier fails its check digit.' },
  ERR_IDENTIFIER_DATE: { http: 400, summary: 'A participant identifier embeds an impossible date.' },
  ERR_IDENTIFIER_REGION: { http: 400, summary: 'A participant identifier embeds an unknown region code.' },

  // --- canonical CBOR --------------------------------------------------------------------------
  ERR_CBOR_MALFORMED: { http: 400, summary: 'Bytes are not well-formed CBOR.' },
  ERR_CBOR_TRUNCATED: { http: 400, summary: 'CBOR ends before the item it declares.' },
  ERR_CBOR_TRAILING_BYTES: { http: 400, summary: 'Bytes follow the single top-level CBOR item.' },
  ERR_CBOR_NOT_CANONICAL: { http: 400, summary: 'CBOR is valid but not in deterministic encoding (RFC 8949 4.2.1).' },
  ERR_CBOR_INDEFINITE_LENGTH: { http: 400, summary: 'CBOR uses an indefinite-length item.' },
  ERR_CBOR_DUPLICATE_KEY: { http: 400, summary: 'A CBOR map repeats a key.' },
  ERR_CBOR_UNKNOWN_TAG: { http: 400, summary: 'CBOR uses a tag outside the allowed set.' },
  ERR_CBOR_UNSUPPORTED_TYPE: { http: 400, summary: 'CBOR uses a type the protocol does not allow (floats, undefined, other simple values).' },
  ERR_CBOR_TOO_DEEP: { http: 400, summary: 'CBOR nesting exceeds the depth limit.' },
  ERR_CBOR_TOO_MANY_ITEMS: { http: 400, summary: 'CBOR has more data items than the item limit.' },
  ERR_CBOR_INVALID_UTF8: { http: 400, summary: 'A CBOR text string is not valid UTF-8.' },

  // --- COSE and keys ---------------------------------------------------------------------------
  ERR_COSE_MALFORMED: { http: 400, summary: 'A COSE structure does not have the shape RFC 9052 requires.' },
  ERR_SIGNATURE_INVALID: { http: 400, summary: 'A signature does not verify.' },
  ERR_DECRYPT_FAILED: { http: 400, summary: 'Decryption or authentication of ciphertext failed.' },
  ERR_KEY_INVALID: { http: 400, summary: 'A key is malformed, of the wrong type, or unusable for the operation.' },
  ERR_KEY_NOT_FOUND: { http: 404, summary: 'No key with the given identifier is known.' },

  // --- sealed letters --------------------------------------------------------------------------
  ERR_LETTER_MALFORMED: { http: 400, summary: 'A sealed letter or its header is not well formed.' },
  ERR_LETTER_TAMPERED: { http: 400, summary: 'A sealed letter was changed after it was sealed.' },
  ERR_NOT_A_RECIPIENT: { http: 403, summary: 'The key offered cannot open this letter: it is not addressed to it.' },
  ERR_SENDER_MISMATCH: { http: 400, summary: 'The signing key does not belong to the sender the letter names.' },
  ERR_LETTER_EXPIRED: { http: 400, summary: 'The letter is past its expiry time.' },

  // --- attachments -----------------------------------------------------------------------------
  ERR_ATTACHMENT_TAMPERED: { http: 400, summary: 'An attachment chunk fails authentication (changed, reordered or spliced).' },
  ERR_ATTACHMENT_TRUNCATED: { http: 400, summary: 'An attachment stream ends before its final chunk.' },
  ERR_ATTACHMENT_TRAILING_DATA: { http: 400, summary: 'Data follows an attachment stream\'s final chunk.' },
  ERR_ATTACHMENT_MISMATCH: { http: 400, summary: 'An attachment does not match the size or digest in the letter\'s manifest.' },

  // --- evidence records ------------------------------------------------------------------------
  ERR_EVIDENCE_MALFORMED: { http: 400, summary: 'An evidence record is not well formed.' },
  ERR_EVIDENCE_CHAIN_BROKEN: { http: 400, summary: 'An evidence record does not point to the record before it.' },

  // --- certificates ----------------------------------------------------------------------------
  ERR_CERT_MALFORMED: { http: 400, summary: 'A certificate cannot be parsed.' },
  ERR_CERT_SIGNATURE_INVALID: { http: 400, summary: 'A certificate signature does not verify under its issuer\'s key.' },
  ERR_CERT_EXPIRED: { http: 400, summary: 'A certificate is past its notAfter at the validation time.' },
  ERR_CERT_NOT_YET_VALID: { http: 400, summary: 'A certificate is before its notBefore at the validation time.' },
  ERR_CERT_UNTRUSTED: { http: 400, summary: 'No path leads from the certificate to a trust anchor.' },
  ERR_CERT_NAME_CHAINING: { http: 400, summary: 'A certificate\'s issuer name does not match its issuer\'s subject.' },
  ERR_CERT_NOT_CA: { http: 400, summary: 'A certificate used as an issuer lacks basicConstraints cA=true.' },
  ERR_CERT_PATH_LENGTH: { http: 400, summary: 'A chain exceeds a pathLenConstraint or the maximum chain length.' },
  ERR_CERT_KEY_USAGE: { http: 400, summary: 'A certificate\'s keyUsage does not permit the role asked.' },
  ERR_CERT_EXT_KEY_USAGE: { http: 400, summary: 'A certificate\'s extendedKeyUsage does not permit the role asked.' },
  ERR_CERT_PROFILE: { http: 400, summary: 'A certificate breaks another rule of its role\'s profile.' },
  ERR_CERT_REVOKED: { http: 400, summary: 'A certificate in the chain is revoked.' },
  ERR_CERT_REVOCATION_UNAVAILABLE: { http: 503, summary: 'Revocation status cannot be established within the allowed staleness.' },

  // --- trust list and federation ---------------------------------------------------------------

  // --- node API --------------------------------------------------------------------------------
} as const satisfies Record<string, { http: number; summary: string }>
