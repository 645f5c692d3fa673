import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from './error-codes.js'
import { BaridError, isBaridError, isBaridErrorCode } from './errors.js'

const specPath = fileURLToPath(new URL('../../../spec/errors.md', import.meta.url))

function specTable(): Map<string, number> {
  const rows = new Map<string, number>()
  for (const m of readFileSync(specPath, 'utf8').matchAll(/^\| `(ERR_[A-Z0-9_]+)` \| (\d{3}) \|/gm)) {
    rows.set(m[1]!, Number(m[2]))
  }
  return rows
}

describe('error codes', () => {
  it('lists exactly the codes of the code table in spec/errors.md, with the same HTTP status', () => {
    const spec = specTable()
    const code = new Map(Object.entries(ERROR_CODES).map(([k, v]) => [k, v.http as number]))
    expect([...spec.entries()].sort()).toEqual([...code.entries()].sort())
  })

  it('carries its code, status and details, and serialises without a stack', () => {
    const e = new BaridError('ERR_INPUT_TOO_LARGE', 'too big', { details: { limit: 10 } })
    expect(isBaridError(e, 'ERR_INPUT_TOO_LARGE')).toBe(true)
    expect(isBaridError(e, 'ERR_INTERNAL')).toBe(false)
    expect(e.httpStatus).toBe(413)
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'ERR_INPUT_TOO_LARGE', message: 'too big', details: { limit: 10 } })
  })

  it('recognises codes read off the wire and nothing else', () => {
    expect(isBaridErrorCode('ERR_SIGNATURE_INVALID')).toBe(true)
    expect(isBaridErrorCode('toString')).toBe(false)
    expect(isBaridErrorCode('ERR_NOPE')).toBe(false)
  })
})
