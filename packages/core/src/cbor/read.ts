/**
 * @module cbor/read
 * Typed accessors for decoded CBOR, so every format parses its maps the same way and reports a
 * wrong shape with the caller's own error code ("parse, don't validate").
 */
import { BaridError, type BaridErrorCode } from '../errors.js'
import { CborTag, type CborKey, type CborValue } from './types.js'

export type CborMap = ReadonlyMap<CborKey, CborValue>

/** Reads fields of one decoded map, failing with `code` and the field's name on a wrong shape. */
export class MapReader {
  constructor(
    readonly map: CborMap,
    readonly code: BaridErrorCode,
    readonly what: string,
  ) {}

  static of(value: CborValue, code: BaridErrorCode, what: string): MapReader {
    if (!(value instanceof Map)) throw new BaridError(code, `${what} must be a map`)
    return new MapReader(value, code, what)
  }

  fail(key: CborKey, expected: string): never {
    throw new BaridError(this.code, `${this.what}: field ${String(key)} must be ${expected}`, {
      details: { field: String(key) },
    })
  }

  has(key: CborKey): boolean {
    return this.map.has(key)
  }

  raw(key: CborKey): CborValue | undefined {
    return this.map.get(key)
  }

  /** Refuses any key not in `allowed`: unknown fields in signed structures are not ignored. */
  only(allowed: readonly CborKey[]): this {
    for (const k of this.map.keys()) if (!allowed.includes(k)) this.fail(k, 'absent (unknown field)')
    return this
  }

  text(key: CborKey, maxLength = 1024): string {
    const v = this.map.get(key)
    if (typeof v !== 'string' || v.length > maxLength) this.fail(key, `text of at most ${maxLength} characters`)
    return v
  }

  optText(key: CborKey, maxLength = 1024): string | undefined {
    return this.map.has(key) ? this.text(key, maxLength) : undefined
  }

  bytes(key: CborKey, length?: { min?: number; max?: number; exact?: number }): Uint8Array {
    const v = this.map.get(key)
    if (!(v instanceof Uint8Array)) this.fail(key, 'a byte string')
    if (length?.exact !== undefined && v.length !== length.exact) this.fail(key, `${length.exact} bytes`)
    if (length?.min !== undefined && v.length < length.min) this.fail(key, `at least ${length.min} bytes`)
    if (length?.max !== undefined && v.length > length.max) this.fail(key, `at most ${length.max} bytes`)
    return v
  }

  optBytes(key: CborKey, length?: { min?: number; max?: number; exact?: number }): Uint8Array | undefined {
    return this.map.has(key) ? this.bytes(key, length) : undefined
  }

  /** A safe integer, optionally within [min, max]. */
  int(key: CborKey, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.map.get(key)
    if (typeof v !== 'number' || v < min || v > max) this.fail(key, `an integer in [${min}, ${max}]`)
    return v
  }

  optInt(key: CborKey, min?: number, max?: number): number | undefined {
    return this.map.has(key) ? this.int(key, min, max) : undefined
  }

  bool(key: CborKey): boolean {
    const v = this.map.get(key)
    if (typeof v !== 'boolean') this.fail(key, 'a boolean')
    return v
  }

  array(key: CborKey, maxLength = 1024): readonly CborValue[] {
    const v = this.map.get(key)
    if (!Array.isArray(v) || v.length > maxLength) this.fail(key, `an array of at most ${maxLength} items`)
    return v as readonly CborValue[]
  }

  mapAt(key: CborKey): MapReader {
    const v = this.map.get(key)
    if (!(v instanceof Map)) this.fail(key, 'a map')
    return new MapReader(v, this.code, `${this.what}.${String(key)}`)
  }

  oneOf<T extends string>(key: CborKey, values: readonly T[]): T {
    const v = this.map.get(key)
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) this.fail(key, `one of ${values.join(', ')}`)
    return v as T
  }
}

/** Unwraps a tag, requiring the given tag number. */
export function untag(value: CborValue, tag: number, code: BaridErrorCode, what: string): CborValue {
  if (!(value instanceof CborTag) || value.tag !== tag) throw new BaridError(code, `${what} must carry CBOR tag ${tag}`)
  return value.value
}
