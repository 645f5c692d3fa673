/**
 * @module federation/structured-fields
 * The part of RFC 8941 (Structured Field Values for HTTP) that HTTP Message Signatures
 * (RFC 9421) and Content-Digest (RFC 9530) need: Dictionaries whose members are Items or
 * Inner Lists, with Parameters; bare items of type Integer, String, Token, Byte Sequence and
 * Boolean. Parsing is strict (RFC 8941 section 4.2): any syntax error fails the whole field.
 */
import { BaridError, type BaridErrorCode } from '../core.js'

export type BareItem = number | string | boolean | Uint8Array | Token

/** A Token (RFC 8941 3.3.4), kept apart from String. */
export class Token {
  constructor(readonly value: string) {}
}

export type Params = Map<string, BareItem>
export interface Item {
  value: BareItem
  params: Params
}
export interface InnerList {
  items: Item[]
  params: Params
}
export type Member = Item | InnerList

export function isInnerList(m: Member): m is InnerList {
  return 'items' in m
}

const MAX_FIELD = 8192

class Parser {
  i = 0
  constructor(
    readonly s: string,
    readonly code: BaridErrorCode,
  ) {}

  fail(what: string): never {
    throw new BaridError(this.code, `structured field: ${what} at ${this.i}`)
  }
  peek(): string | undefined {
    return this.s[this.i]
  }
  skipSP(): void {
    while (this.s[this.i] === ' ') this.i++
  }
  skipOWS(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++
  }

  key(): string {
    const m = /^[a-z*][a-z0-9_\-.*]*/.exec(this.s.slice(this.i))
    if (!m) this.fail('expected a key')
    this.i += m[0].length
    return m[0]
  }

  bareItem(): BareItem {
    const c = this.peek()
    if (c === undefined) this.fail('unexpected end')
    if (c === '-' || (c >= '0' && c <= '9')) return this.integer()
    if (c === '"') return this.string()
    if (c === ':') return this.bytes()
    if (c === '?') return this.boolean()
    if (/[A-Za-z*]/.test(c)) return this.token()
    this.fail('unexpected character')
  }

  integer(): number {
    const m = /^-?[0-9]{1,15}/.exec(this.s.slice(this.i))
    if (!m) this.fail('bad integer')
    const next = this.s[this.i + m[0].length]
    if (next === '.' || (next !== undefined && next >= '0' && next <= '9'))
      this.fail('decimals and long integers are not allowed here')
    this.i += m[0].length
    return Number(m[0])
  }

  string(): string {
    this.i++ // opening quote
    let out = ''
    for (;;) {
      const c = this.s[this.i++]
      if (c === undefined) this.fail('unterminated string')
      if (c === '\\') {
        const n = this.s[this.i++]
        if (n !== '"' && n !== '\\') this.fail('bad escape')
        out += n
      } else if (c === '"') {
        return out
      } else {
        const code = c.charCodeAt(0)
        if (code < 0x20 || code > 0x7e) this.fail('non-printable character in string')
        out += c
      }
    }
  }

  token(): Token {
    const m = /^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*/.exec(this.s.slice(this.i))
    if (!m) this.fail('bad token')
    this.i += m[0].length
    return new Token(m[0])
  }

  bytes(): Uint8Array {
    const end = this.s.indexOf(':', this.i + 1)
    if (end < 0) this.fail('unterminated byte sequence')
    const b64 = this.s.slice(this.i + 1, end)
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) this.fail('bad base64')
    this.i = end + 1
    return new Uint8Array(Buffer.from(b64, 'base64'))
  }

  boolean(): boolean {
    const v = this.s.slice(this.i, this.i + 2)
    if (v !== '?0' && v !== '?1') this.fail('bad boolean')
    this.i += 2
    return v === '?1'
  }

  params(): Params {
    const p: Params = new Map()
    while (this.peek() === ';') {
      this.i++
      this.skipSP()
      const k = this.key()
      let v: BareItem = true
      if (this.peek() === '=') {
        this.i++
        v = this.bareItem()
      }
      if (p.has(k)) this.fail('duplicate parameter') // RFC 8941 overwrites; we refuse ambiguity
      p.set(k, v)
    }
    return p
  }

  item(): Item {
    const value = this.bareItem()
    return { value, params: this.params() }
  }

  member(): Member {
    if (this.peek() === '(') {
      this.i++
      const items: Item[] = []
      for (;;) {
        this.skipSP()
        if (this.peek() === ')') {
          this.i++
          return { items, params: this.params() }
        }
        items.push(this.item())
        const c = this.peek()
        if (c !== ' ' && c !== ')') this.fail('expected space or ) in inner list')
        if (items.length > 64) this.fail('inner list too long')
      }
    }
    return this.item()
  }
}

/**
 * Parses a Dictionary field (RFC 8941 4.2.2). Duplicate keys are refused (RFC 8941 keeps the
 * last; a signature verifier must not have two readings of one header).
 *
 * @example
 * ```ts
 * const d = parseDictionary('sig1=:AAAA:', 'ERR_FED_SIGNATURE_INVALID')
 * ```
 */
export function parseDictionary(field: string, code: BaridErrorCode): Map<string, Member> {
  if (field.length > MAX_FIELD) throw new BaridError(code, 'structured field: too long')
  const p = new Parser(field.trim(), code)
  const out = new Map<string, Member>()
  if (p.s.length === 0) return out
  for (;;) {
    const k = p.key()
    let m: Member
    if (p.peek() === '=') {
      p.i++
      m = p.member()
    } else {
      m = { value: true, params: p.params() }
    }
    if (out.has(k)) p.fail('duplicate dictionary key')
    out.set(k, m)
    if (out.size > 32) p.fail('too many members')
    p.skipOWS()
    if (p.i >= p.s.length) return out
    if (p.peek() !== ',') p.fail('expected ,')
    p.i++
    p.skipOWS()
    if (p.i >= p.s.length) p.fail('trailing comma')
  }
}

/** Serialises a bare item (RFC 8941 4.1.3). */
export function serializeBareItem(v: BareItem): string {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v))
      throw new BaridError(
        'ERR_INVALID_ARGUMENT',
        'structured field integers must be safe integers',
      )
    return String(v)
  }
  if (typeof v === 'boolean') return v ? '?1' : '?0'
  if (v instanceof Uint8Array) return `:${Buffer.from(v).toString('base64')}:`
  if (v instanceof Token) return v.value
  if (!/^[\x20-\x7e]*$/.test(v))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'structured field strings must be printable ASCII')
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/** Serialises parameters (RFC 8941 4.1.1.2). */
export function serializeParams(p: Params): string {
  let s = ''
  for (const [k, v] of p) s += v === true ? `;${k}` : `;${k}=${serializeBareItem(v)}`
  return s
}

/** Serialises an inner list with its parameters (RFC 8941 4.1.1.1). */
export function serializeInnerList(l: InnerList): string {
  return `(${l.items.map((i) => serializeBareItem(i.value) + serializeParams(i.params)).join(' ')})${serializeParams(l.params)}`
}
