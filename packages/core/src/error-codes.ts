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
  ERR_COSE_CRITICAL_UNKNOWN: { http: 400, summary: 'A COSE header marks as critical a parameter the receiver does not understand.' },

  // --- sealed letters --------------------------------------------------------------------------
  ERR_LETTER_MALFORMED: { http: 400, summary: 'A sealed letter or its header is not well formed.' },
  ERR_LETTER_TAMPERED: { http: 400, summary: 'A sealed letter was changed after it was sealed.' },
  ERR_NOT_A_RECIPIENT: { http: 403, summary: 'The key offered cannot open this letter: it is not addressed to it.' },
  ERR_SENDER_MISMATCH: { http: 400, summary: 'The signing key does not belong to the sender the letter names.' },
  ERR_LETTER_EXPIRED: { http: 400, summary: 'The letter is past its expiry time.' },
  ERR_LETTER_CLOCK_SKEW: { http: 400, summary: 'The letter\'s creation time is later than the receiver\'s clock allows.' },

  // --- attachments -----------------------------------------------------------------------------
  ERR_ATTACHMENT_TAMPERED: { http: 400, summary: 'An attachment chunk fails authentication (changed, reordered or spliced).' },
  ERR_ATTACHMENT_TRUNCATED: { http: 400, summary: 'An attachment stream ends before its final chunk.' },
  ERR_ATTACHMENT_TRAILING_DATA: { http: 400, summary: 'Data follows an attachment stream\'s final chunk.' },
  ERR_ATTACHMENT_MISMATCH: { http: 400, summary: 'An attachment does not match the size or digest in the letter\'s manifest.' },

  // --- evidence records ------------------------------------------------------------------------
  ERR_EVIDENCE_MALFORMED: { http: 400, summary: 'An evidence record is not well formed.' },
  ERR_EVIDENCE_CHAIN_BROKEN: { http: 400, summary: 'An evidence record does not point to the record before it.' },
  ERR_EVIDENCE_ISSUER_MISMATCH: { http: 400, summary: 'An evidence record is signed by a key that does not belong to the operator it names as issuer.' },
  ERR_EVIDENCE_TIME_INVALID: { http: 400, summary: 'An evidence record is dated later than the verification time, or than the checkpoint of the log that shows it, beyond the allowed clock skew.' },
  // registered mail (spec/17)
  ERR_NOTIFICATION_FAILED: { http: 502, summary: 'A notification channel did not take a notification.' },

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

  // --- transparency log ----------------------------------------------------------------------
  // Merkle log, checkpoints, witnesses (spec/16)
  ERR_PROOF_INVALID: { http: 400, summary: 'An inclusion or consistency proof does not verify, or has the wrong length.' },
  ERR_CHECKPOINT_INVALID: { http: 400, summary: 'A log checkpoint is malformed, not signed by a key of its log, or claims an impossible tree.' },
  ERR_CHECKPOINT_STALE: { http: 409, summary: 'A checkpoint is older than the checkpoint already held for its log.' },
  ERR_LOG_INCONSISTENT: { http: 409, summary: 'Two checkpoints of one log cannot both be true: the log forked or rolled back.' },
  ERR_LOG_INDEX_OUT_OF_RANGE: { http: 400, summary: 'A leaf index or tree size lies beyond the log.' },
  ERR_WITNESS_STATEMENT_INVALID: { http: 400, summary: 'A cosignature or fork statement is malformed, not signed by its witness, or does not show what it claims.' },
  ERR_WITNESS_INSUFFICIENT: { http: 400, summary: 'Fewer independent witnesses cosigned the log state shown for a record than the verifier requires, or no log proof is given for it.' },
  ERR_LOG_RESET_INVALID: { http: 400, summary: 'A log reset is malformed, not signed by a governance key, not for the log or epoch asked, or a checkpoint of a new epoch comes without a valid one.' },

  // --- trust list and federation ---------------------------------------------------------------
  // trust list, operator PKI binding, revocation lists, discovery (spec/20 to 23)
  ERR_TRUST_LIST_MALFORMED: { http: 400, summary: 'A trust list is not well formed.' },
  ERR_TRUST_LIST_SIGNER_UNKNOWN: { http: 400, summary: 'A trust list is not signed by a governance key the verifier trusts.' },
  ERR_TRUST_LIST_SIGNER_RETIRED: { http: 400, summary: 'A trust list is signed by a governance key that the held list no longer authorises.' },
  ERR_TRUST_LIST_ROLLBACK: { http: 409, summary: 'A trust list has a lower sequence number than the list held (rollback).' },
  ERR_TRUST_LIST_CONFLICT: { http: 409, summary: 'A trust list has the held list\'s sequence number but different content.' },
  ERR_TRUST_LIST_NOT_YET_VALID: { http: 400, summary: 'A trust list\'s issue time is in the future beyond the allowed clock skew.' },
  ERR_TRUST_LIST_STALE: { http: 503, summary: 'The held trust list is past its next-update time: first contact with a peer is refused.' },
  ERR_TRUST_LIST_EXPIRED: { http: 503, summary: 'The held trust list is past its maximum staleness: federation traffic is refused.' },
  ERR_OPERATOR_UNKNOWN: { http: 403, summary: 'An operator is not in the trust list, or was not yet admitted at the time asked.' },
  ERR_OPERATOR_SUSPENDED: { http: 403, summary: 'An operator is suspended at the time asked.' },
  ERR_OPERATOR_WITHDRAWN: { http: 403, summary: 'An operator is withdrawn from the federation at the time asked.' },
  ERR_OPERATOR_CA_RETIRED: { http: 403, summary: 'A signature is dated after the trust list retired the operator CA it chains to.' },
  ERR_CERT_OPERATOR_MISMATCH: { http: 403, summary: 'A certificate is not bound to the operator it speaks for.' },
  ERR_KEY_RETIRED: { http: 401, summary: 'A signature is dated at or after its key\'s retirement time.' },
  ERR_REVOCATION_LIST_MALFORMED: { http: 400, summary: 'An operator\'s revocation list is not well formed.' },
  ERR_REVOCATION_LIST_UNTRUSTED: { http: 400, summary: 'A revocation list is not signed by a CA the trust list holds for its operator.' },
  ERR_DISCOVERY_MALFORMED: { http: 400, summary: 'A node discovery document is not well formed.' },
  ERR_DISCOVERY_EXPIRED: { http: 400, summary: 'A node discovery document is past its expiry time.' },
  ERR_DISCOVERY_URL_REFUSED: { http: 400, summary: 'A URL is not within the trust list\'s endpoints for its operator; it is never fetched.' },
  ERR_DISCOVERY_REDIRECT: { http: 502, summary: 'A discovery fetch was answered with a redirect, which is never followed.' },
  ERR_DISCOVERY_UNAVAILABLE: { http: 502, summary: 'A discovery or revocation document could not be fetched (network, HTTP status, size).' },
  ERR_DISCOVERY_TIMEOUT: { http: 504, summary: 'A discovery or revocation fetch did not complete within its timeout.' },
  ERR_PEER_ADDRESS_REFUSED: { http: 502, summary: 'A peer endpoint\'s host resolves to a loopback, private, link-local or other non-public address the node is not configured to allow; nothing is sent.' },
  ERR_EVIDENCE_BUNDLE_MALFORMED: { http: 400, summary: 'An evidence bundle (records with the certificates to verify them offline) is not well formed.' },
  ERR_GOVERNANCE_CONFLICT: { http: 409, summary: 'A governance change conflicts with what the federation already issued: the operator is already listed or already in the state asked, a status change is not later than the last, a key rollover is already (or not yet) announced, or a log epoch is already declared.' },

  // federation requests between nodes (spec/11)
  ERR_FED_SIGNATURE_MISSING: { http: 401, summary: 'A federation request lacks the HTTP message signature its profile requires (RFC 9421).' },
  ERR_FED_SIGNATURE_INVALID: { http: 401, summary: 'An HTTP message signature does not verify, or does not cover what the profile requires.' },
  ERR_FED_SIGNATURE_STALE: { http: 401, summary: 'An HTTP message signature was created outside the freshness window.' },
  ERR_FED_REPLAY: { http: 401, summary: 'An HTTP message signature nonce was already seen within the freshness window.' },
  ERR_FED_KEY_UNKNOWN: { http: 401, summary: 'An HTTP message signature names a key id that no federation member holds.' },
  ERR_FED_CONTENT_DIGEST: { http: 400, summary: 'Content-Digest is missing, malformed or does not match the content (RFC 9530).' },
  ERR_FED_ORIGIN_MISMATCH: { http: 403, summary: 'A peer relays a letter or evidence that is not its own to relay.' },
  ERR_FED_TRANSACTION_CONFLICT: { http: 409, summary: 'A federation transaction id is reused with different content.' },
  ERR_PEER_UNAVAILABLE: { http: 502, summary: 'A peer node could not be reached or did not answer usefully.' },

  // --- node API --------------------------------------------------------------------------------
  ERR_UNAUTHENTICATED: { http: 401, summary: 'Credentials are missing or invalid.' },
  ERR_FORBIDDEN: { http: 403, summary: 'The caller is authenticated but not allowed to do this.' },
  ERR_NOT_FOUND: { http: 404, summary: 'No such resource, or it is not visible to the caller.' },
  ERR_UNSUPPORTED_MEDIA_TYPE: { http: 415, summary: 'The request body has a media type the endpoint does not accept.' },
  ERR_RATE_LIMITED: { http: 429, summary: 'Too many requests; retry after the time given in Retry-After.' },
  ERR_IDEMPOTENCY_CONFLICT: { http: 409, summary: 'An Idempotency-Key is reused with a different request.' },
  ERR_LETTER_CONFLICT: { http: 409, summary: 'A letter id is already used by a different letter.' },
  ERR_ATTACHMENT_MISSING: { http: 409, summary: 'A letter names an attachment that has not been uploaded to the node.' },
  ERR_RECIPIENT_UNKNOWN: { http: 404, summary: 'A recipient address or identifier has no mailbox.' },
  ERR_RECIPIENT_EXEMPT: { http: 422, summary: 'The recipient is exempt from digital post.' },
  ERR_MISROUTED: { http: 400, summary: 'A letter or request reached a node that does not serve its recipient.' },
  ERR_DELIVERY_EXPIRED: { http: 410, summary: 'A letter was not delivered before its delivery deadline.' },
  ERR_UNAVAILABLE: { http: 503, summary: 'The node is starting, shutting down or overloaded; retry later.' },
} as const satisfies Record<string, { http: number; summary: string }>
