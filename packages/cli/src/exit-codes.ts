/**
 * @module exit-codes
 * The exit codes of `barid` (documented in the package README and `barid --help`). Scripts can
 * tell "the document is bad" (1) from "I called it wrong" (2) from "a file is missing or would be
 * overwritten" (3).
 */
export const EXIT = {
  /** The command did what was asked; a verification passed. */
  ok: 0,
  /**
   * A verification failed, or a policy, the federation's state or an input file's content
   * refused: the error code says which rule.
   */
  refused: 1,
  /** Usage error: unknown command or option, missing or malformed argument. */
  usage: 2,
  /** File error: missing or unreadable input, or an output that already exists. */
  file: 3,
  /** An unexpected internal error (a bug): please report it. */
  internal: 70,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]
