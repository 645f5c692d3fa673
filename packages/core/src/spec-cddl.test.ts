/**
 * The files of spec/cddl are one CDDL specification split by subject (spec/cddl/README.md):
 * concatenated, they must not define a rule twice (RFC 8610 section 3.1), nor redefine a rule
 * of the RFC 8610 prelude, and every rule they use must be defined in one of them.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const DIR = fileURLToPath(new URL('../../../spec/cddl/', import.meta.url))
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.cddl'))

// RFC 8610 appendix D, and the control operators' and socket names a file may use.
const PRELUDE = new Set(
  (
    'any uint nint int bstr bytes tstr text tdate time number biguint bignint bigint integer ' +
    'unsigned decfrac bigfloat eb64url eb64legacy eb16 encoded-cbor uri b64url b64legacy ' +
    'regexp mime-message cbor-any float16 float32 float64 float16-32 float32-64 float ' +
    'false true bool nil null undefined'
  ).split(' '),
)

/** A file's text without comments and string literals, line structure kept. */
function code(text: string): string {
  return text
    .replace(/"(?:[^"\\\n]|\\.)*"|[hb]64?'[^'\n]*'|'[^'\n]*'/g, '""')
    .replace(/;[^\n]*/g, '')
}

/** Rule names defined (`name =`, `name /=`, `name //=` at the start of a line). */
function definitions(text: string): { name: string; extends: boolean }[] {
  return [...code(text).matchAll(/^([A-Za-z@_$][\w@$.-]*)\s*(\/\/=|\/=|=)/gm)].map((m) => ({
    name: m[1]!,
    extends: m[2] !== '=',
  }))
}

/** Names used on right-hand sides, leaving out bareword member keys (`name:`) and operators. */
function uses(text: string): string[] {
  const out: string[] = []
  for (const line of code(text).split('\n')) {
    const rhs = line.replace(/^([A-Za-z@_$][\w@$.-]*)\s*(\/\/=|\/=|=)/, '')
    const name = /(?<![\w@$.-])([A-Za-z@_$](?:[\w@$.-]*[\w@$])?)(?![\w@$.-])(?!\s*:(?!:))/g
    for (const m of rhs.matchAll(name)) out.push(m[1]!)
  }
  return out
}

describe('the CDDL of spec/cddl', () => {
  it('defines every rule name in exactly one file, and none of the prelude', () => {
    const where = new Map<string, string[]>()
    for (const f of FILES)
      for (const d of definitions(readFileSync(DIR + f, 'utf8')))
        if (!d.extends) where.set(d.name, [...(where.get(d.name) ?? []), f])
    const repeated = [...where].filter(([, files]) => files.length > 1)
    expect(repeated).toEqual([])
    expect([...where.keys()].filter((n) => PRELUDE.has(n))).toEqual([])
    // The scanner reads the files: the letter, the trust list and the shared rules are there.
    for (const n of ['sealed-letter', 'trust-list', 'kid', 'mailbox-address', 'evidence-record'])
      expect(where.has(n), n).toBe(true)
  })

  it('uses only rules that one of its files or the prelude defines', () => {
    const defined = new Set(
      FILES.flatMap((f) => definitions(readFileSync(DIR + f, 'utf8')).map((d) => d.name)),
    )
    const missing = FILES.flatMap((f) =>
      uses(readFileSync(DIR + f, 'utf8'))
        .filter((n) => !defined.has(n) && !PRELUDE.has(n))
        .map((n) => `${f}: ${n}`),
    )
    expect(missing).toEqual([])
  })

  it('finds a repeated definition and an undefined use', () => {
    const text = 'a = b / tstr\nb = { key: uint, "s" => c }\na = bstr ; a = again\n'
    expect(definitions(text).map((d) => d.name)).toEqual(['a', 'b', 'a'])
    expect(uses(text)).toEqual(['b', 'tstr', 'uint', 'c', 'bstr'])
  })
})
