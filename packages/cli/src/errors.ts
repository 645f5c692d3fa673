/**
 * @module errors
 * The CLI's own failures: usage mistakes and file problems. Everything else a command can fail
 * with is a `BaridError` from @barid/core, reported with its code.
 */

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
