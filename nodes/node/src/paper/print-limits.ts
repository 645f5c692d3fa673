/**
 * @module paper/print-limits
 * Bounds on what one letter may make the print channel do (spec 17.6), with their defaults and
 * the range an operator may set them to (`registered.printLimits`). Apart from the renderer so
 * that configuration can read them without loading fonts.
 */

/** Bounds on what one letter may make the print channel do. */
export interface PrintLimits {
  /** Largest text body, in bytes. */
  maxBodyBytes: number
  /** Longest paragraph (a line of the body between line breaks), in UTF-16 code units. */
  maxParagraphUnits: number
  /** Most pages of the print file (cover and body). */
  maxPages: number
}

/** Default print limits: a text body of up to about 150 pages of dense text. */
export const PRINT_LIMITS: PrintLimits = {
  maxBodyBytes: 512 * 1024,
  maxParagraphUnits: 64 * 1024,
  maxPages: 250,
}

/**
 * What an operator may set each limit to: low enough that one letter cannot hold the print
 * channel for long (the renderer's time and memory grow with each), high enough for any letter
 * a sender can submit (`limits.maxLetterBytes` defaults to 1 MiB).
 */
export const PRINT_LIMIT_RANGES: Record<keyof PrintLimits, readonly [number, number]> = {
  maxBodyBytes: [1024, 8 * 1024 * 1024],
  maxParagraphUnits: [256, 1024 * 1024],
  maxPages: [2, 2000],
}
