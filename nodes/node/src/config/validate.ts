/**
 * @module config/validate
 * Small typed readers for JSON configuration, failing with `ERR_INVALID_ARGUMENT` and the
 * offending path (never the value: a config file may hold secrets).
 */
import { BaridError } from '../core.js'

function fail(path: string, expected: string): never {
  throw new BaridError('ERR_INVALID_ARGUMENT', `config: ${path} must be ${expected}`, {
    details: { path },
  })
}

/** Reads fields of one JSON object. */
export class ObjectReader {
  constructor(
    readonly value: Record<string, unknown>,
    readonly path: string,
  ) {}

  static of(value: unknown, path: string): ObjectReader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object')
    return new ObjectReader(value as Record<string, unknown>, path)
  }

  /** Refuses keys outside `allowed` (a typo in a config file must not be silently ignored). */
  only(allowed: readonly string[]): this {
    for (const k of Object.keys(this.value))
      if (!allowed.includes(k)) fail(`${this.path}.${k}`, 'absent (unknown setting)')
    return this
  }

  has(key: string): boolean {
    return this.value[key] !== undefined
  }

  str(key: string, pattern?: RegExp): string {
    const v = this.value[key]
    if (typeof v !== 'string' || v.length === 0 || v.length > 4096 || (pattern && !pattern.test(v)))
      fail(`${this.path}.${key}`, 'a non-empty string of the right form')
    return v
  }

  optStr(key: string, pattern?: RegExp): string | undefined {
    return this.has(key) ? this.str(key, pattern) : undefined
  }

  int(key: string, min: number, max: number): number {
    const v = this.value[key]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      fail(`${this.path}.${key}`, `an integer in [${min}, ${max}]`)
    return v
  }

  optInt(key: string, min: number, max: number): number | undefined {
    return this.has(key) ? this.int(key, min, max) : undefined
  }

  bool(key: string): boolean {
    const v = this.value[key]
    if (typeof v !== 'boolean') fail(`${this.path}.${key}`, 'a boolean')
    return v
  }

  optBool(key: string): boolean | undefined {
    return this.has(key) ? this.bool(key) : undefined
  }

  strings(key: string, pattern?: RegExp): string[] {
    const v = this.value[key]
    if (
      !Array.isArray(v) ||
      v.length > 1000 ||
      !v.every((s) => typeof s === 'string' && (!pattern || pattern.test(s)))
    )
      fail(`${this.path}.${key}`, 'an array of strings of the right form')
    return v as string[]
  }

  obj(key: string): ObjectReader {
    return ObjectReader.of(this.value[key], `${this.path}.${key}`)
  }

  optObj(key: string): ObjectReader | undefined {
    return this.has(key) ? this.obj(key) : undefined
  }

  /** A map of language tag to text (display names). */
  texts(key: string): Record<string, string> {
    const r = this.obj(key)
    const out: Record<string, string> = {}
    for (const k of Object.keys(r.value)) {
      if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(k))
        fail(`${r.path}.${k}`, 'keyed by a BCP 47 language tag')
      out[k] = r.str(k)
    }
    return out
  }
}
