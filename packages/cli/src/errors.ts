/**
 * @module errors
 * The CLI's own failures: usage mistakes and file problems. Everything else a command can fail
 * with is a `BaridError` from @barid/core, reported with its code: among them what a file holds
 * that the command refuses (malformed, of the wrong kind, not matching the rest of its
 * directory), which is no mistake of the command line.
 */
import { BaridError, type BaridErrorCode } from './core.js'

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** A file that is missing, unreadable, or would be overwritten (exit code 3). */
export class FileError extends Error {
  override readonly name = 'FileError'
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/**
 * A refusal of what the file at `path` holds (exit code 1): the message starts with the path
 * and the details name it. `ERR_INVALID_ARGUMENT` unless a more precise code applies.
 *
 * @example
 * ```ts
 * throw fileRefusal(caPath, `is not an operator CA certificate of ${operator}`)
 * ```
 */
export function fileRefusal(
  path: string,
  what: string,
  code: BaridErrorCode = 'ERR_INVALID_ARGUMENT',
  details: Record<string, unknown> = {},
): BaridError {
  return new BaridError(code, `${path} ${what}`, { details: { file: path, ...details } })
}

/**
 * Runs `read` (parsing what `path` holds) and names the file in a `BaridError` it throws,
 * keeping its code: "ERR_CERT_MALFORMED: certificate is not DER" alone does not say which file.
 *
 * @example
 * ```ts
 * const cert = await inFile(path, async () => parseCertificate(await readBytes(path)))
 * ```
 */
export async function inFile<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (e) {
    if (!(e instanceof BaridError) || e.details?.file !== undefined) throw e
    throw new BaridError(e.code, `${path}: ${e.message}`, {
      cause: e,
      details: { file: path, ...e.details },
    })
  }
}
