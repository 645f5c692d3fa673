/**
 * @module args/check
 * Declarative shape checks for the arguments of the client's public entry points. The package is
 * called from plain JavaScript too, where nothing stops `undefined` or a string standing in for
 * an object: each entry point checks its arguments against a {@link Shape} before using them, so
 * a wrong argument fails with `ERR_INVALID_ARGUMENT` naming it, never with a `TypeError` from
 * deep inside. A shape only reads the value (own data of plain objects, `typeof`,
 * `instanceof`); it never calls into it or turns it into a string, so any value can be checked.
 */
import { BaridError, type BaridErrorCode } from '../core.js'

/** Where a value differs from its shape: the path below the argument, and what it must be. */
export interface Fault {
  readonly at: string
  readonly expected: string
}

/** A check of one value: undefined when it fits, else the first fault found. */
export type Shape = (v: unknown, at: string) => Fault | undefined

/**
 * Throws `ERR_INVALID_ARGUMENT` (or `code`) when `v` does not fit `shape`; `name` names the
 * argument in the message, e.g. "options.baseUrl must be an absolute http(s) URL".
 *
 * @example
 * ```ts
 * check(o, senderClientOptions, 'options')
 * ```
 */
export function check(
  v: unknown,
  shape: Shape,
  name: string,
  code: BaridErrorCode = 'ERR_INVALID_ARGUMENT',
): void {
  const fault = shape(v, name)
  if (fault)
    throw new BaridError(code, `${fault.at} must be ${fault.expected}`, {
      details: { field: fault.at },
    })
}

/**
 * A shape from a predicate and what it stands for.
 *
 * @example
 * ```ts
 * const positive = is('a positive number', (v) => typeof v === 'number' && v > 0)
 * ```
 */
export function is(expected: string, test: (v: unknown) => boolean): Shape {
  return (v, at) => (test(v) ? undefined : { at, expected })
}

/**
 * The shape, or undefined.
 *
 * @example
 * ```ts
 * const lang = optional(text)
 * ```
 */
export function optional(shape: Shape): Shape {
  return (v, at) => (v === undefined ? undefined : shape(v, at))
}

/**
 * The first shape that fits; otherwise the fault `expected` names the alternatives.
 *
 * @example
 * ```ts
 * const body = anyOf('a string or a Uint8Array', text, bytes)
 * ```
 */
export function anyOf(expected: string, ...shapes: Shape[]): Shape {
  return (v, at) => (shapes.some((s) => s(v, at) === undefined) ? undefined : { at, expected })
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * An object whose listed properties fit their shapes (other properties are left alone).
 *
 * @example
 * ```ts
 * const query = record({ identifier: text })
 * ```
 */
export function record(fields: Readonly<Record<string, Shape>>, expected = 'an object'): Shape {
  const entries = Object.entries(fields)
  return (v, at) => {
    if (!isRecord(v)) return { at, expected }
    for (const [key, shape] of entries) {
      // Own properties only: a value inherited from a prototype is not the caller's argument.
      const value = Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined
      const fault = shape(value, `${at}.${key}`)
      if (fault) return fault
    }
    return undefined
  }
}

/**
 * An array of `min` to `max` items, each fitting `item`.
 *
 * @example
 * ```ts
 * const recipients = arrayOf(text, { min: 1, max: 100 })
 * ```
 */
export function arrayOf(
  item: Shape,
  o: { min?: number; max?: number; expected?: string } = {},
): Shape {
  const min = o.min ?? 0
  const max = o.max ?? Number.MAX_SAFE_INTEGER
  const expected =
    o.expected ??
    (max === Number.MAX_SAFE_INTEGER
      ? `an array of at least ${min} item${min === 1 ? '' : 's'}`
      : `an array of ${min} to ${max} items`)
  return (v, at) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) return { at, expected }
    for (let i = 0; i < v.length; i++) {
      // A hole of a sparse array is read as undefined, like a missing property.
      const value = Object.prototype.hasOwnProperty.call(v, i) ? v[i] : undefined
      const fault = item(value, `${at}[${i}]`)
      if (fault) return fault
    }
    return undefined
  }
}

/**
 * A string matching `pattern`.
 *
 * @example
 * ```ts
 * const hex32 = matching(/^[0-9a-f]{64}$/, 'a SHA-256 digest in lower-case hex')
 * ```
 */
export function matching(pattern: RegExp, expected: string): Shape {
  return is(expected, (v) => typeof v === 'string' && pattern.test(v))
}

/**
 * A safe integer from `min` to `max`.
 *
 * @example
 * ```ts
 * const limit = integer(1, 200)
 * ```
 */
export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): Shape {
  const expected =
    max === Number.MAX_SAFE_INTEGER
      ? `an integer of at least ${min}`
      : `an integer from ${min} to ${max}`
  return is(
    expected,
    (v) => typeof v === 'number' && Number.isSafeInteger(v) && min <= v && v <= max,
  )
}

/**
 * One of the listed values.
 *
 * @example
 * ```ts
 * const kind = oneOf('letter', 'registered')
 * ```
 */
export function oneOf(...values: readonly (string | number | boolean | null)[]): Shape {
  const expected = `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`
  return is(expected, (v) => values.includes(v as string))
}
