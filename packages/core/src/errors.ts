/**
 * @module errors
 * One error class for the whole protocol. Every failure a caller can act on carries a stable
 * `code` from {@link ERROR_CODES}; the same table is normative in `spec/errors.md` (a test keeps
 * the two equal), so other implementations and the wire format use the same names.
 */
import { ERROR_CODES } from './error-codes.js'

/** A stable error code; see `spec/errors.md`. */
export type BaridErrorCode = keyof typeof ERROR_CODES

/**
 * The error every Barid function throws for bad input, failed verification or refused policy.
 *
 * @example
 * ```ts
 * try { parseMailboxAddress('nobody') } catch (e) {
 *   if (isBaridError(e) && e.code === 'ERR_ADDRESS_INVALID') console.log('bad address')
 * }
 * ```
 */
export class BaridError extends Error {
  override readonly name = 'BaridError'
  readonly code: BaridErrorCode
  /** Structured, non-secret details (field names, limits); never key material or plaintext. */
  readonly details: Readonly<Record<string, unknown>> | undefined

  constructor(
    code: BaridErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = options?.details
  }

  /** The HTTP status a node answers with when this error ends a request. */
  get httpStatus(): number {
    return ERROR_CODES[this.code].http
  }

  toJSON(): { code: BaridErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: { ...this.details } }
  }
}

/** True when `e` is a {@link BaridError}, optionally with the given code. */
export function isBaridError(e: unknown, code?: BaridErrorCode): e is BaridError {
  return e instanceof BaridError && (code === undefined || e.code === code)
}

/** True when `code` is one of the protocol's error codes (for codes read off the wire). */
export function isBaridErrorCode(code: unknown): code is BaridErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code)
}
