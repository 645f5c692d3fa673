/**
 * @module cbor/types
 * The CBOR data model Barid uses: the subset of RFC 8949 that deterministic encoding needs and
 * nothing more. No floats, no `undefined`, no indefinite lengths: a format with fewer ways to
 * say one thing has fewer ways to be misread.
 */

/** A CBOR tag (major type 6) around a value. */
export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

/** Map keys are integers or text strings only. */
export type CborKey = number | bigint | string

/** A value that can be encoded deterministically and that the strict decoder returns. */
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | readonly CborValue[]
  | ReadonlyMap<CborKey, CborValue>
  | CborTag
  | { readonly [key: string]: CborValue }

/** Limits the strict decoder enforces; each has a safe default. */
export interface DecodeLimits {
  /** Largest input accepted, in bytes. Default 1 MiB. */
  maxBytes?: number
  /** Deepest nesting of arrays, maps and tags. Default 16. */
  maxDepth?: number
  /** Most data items in the whole input. Default 10,000. */
  maxItems?: number
  /** Tags allowed; any other tag is refused. Default: none. */
  tags?: ReadonlySet<number>
  /**
   * Require deterministic encoding (RFC 8949 4.2.1): shortest arguments and sorted map keys.
   * Default true. Only interop code reading other COSE producers turns it off.
   */
  canonical?: boolean
}

export const DEFAULT_LIMITS = {
  maxBytes: 1 << 20,
  maxDepth: 16,
  maxItems: 10_000,
} as const
