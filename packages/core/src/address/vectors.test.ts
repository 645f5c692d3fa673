import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import { parseIdentifier } from './identifier.js'
import { parseMailboxAddress } from './mailbox-address.js'
import { parseOperatorId } from './operator-id.js'
import { VECTORS_NOW, makeVectors } from './vectors.js'

const file = new URL('../../../../spec/vectors/addresses.json', import.meta.url)

interface Valid {
  input: string
  canonical?: string
  address?: string
  parsed?: { text: string }
}
interface Vectors {
  operatorIds: { valid: Valid[] }
  mailboxAddresses: { valid: Valid[] }
  identifiers: Record<string, { valid: Valid[] }>
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f()
    return undefined
  } catch (e) {
    expect(e).toBeInstanceOf(BaridError)
    return (e as BaridError).code
  }
}

describe('address vectors', () => {
  it('match spec/vectors/addresses.json exactly', async () => {
    const stored: unknown = JSON.parse(readFileSync(file, 'utf8'))
    expect(stored).toStrictEqual(JSON.parse(JSON.stringify(await makeVectors())))
  })

  it('accept each valid input in canonical mode only when it is already canonical', () => {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Vectors
    const now = new Date(VECTORS_NOW)
    for (const { input, canonical } of v.operatorIds.valid) {
      const code = codeOf(() => parseOperatorId(input, { canonical: true }))
      expect(code).toBe(input === canonical ? undefined : 'ERR_ADDRESS_INVALID')
    }
    for (const { input, address } of v.mailboxAddresses.valid) {
      const code = codeOf(() => parseMailboxAddress(input, { canonical: true }))
      expect(code).toBe(input === address ? undefined : 'ERR_ADDRESS_INVALID')
    }
    for (const { valid } of Object.values(v.identifiers)) {
      for (const { input, parsed } of valid) {
        const code = codeOf(() => parseIdentifier(input, { now, canonical: true }))
        expect(code).toBe(input === parsed?.text ? undefined : 'ERR_IDENTIFIER_INVALID')
      }
    }
  })
})
