import { describe, expect, it } from 'vitest'
import { identifierAuthority } from './identifier-authority.js'
import { parseIdentifier } from './identifier.js'

const now = new Date('2025-06-15T12:00:00Z')

describe('identifierAuthority', () => {
  it.each([
    ['eg:nid:29001011234567', { kind: 'country', country: 'EG' }],
    ['eg:crn:7/123', { kind: 'country', country: 'EG' }],
    ['dk:cpr:0101901234', { kind: 'country', country: 'DK' }],
    ['dk:cvr:12345674', { kind: 'country', country: 'DK' }],
    ['opaque:digitalpost.dk:u-1', { kind: 'operator', operator: 'digitalpost.dk' }],
  ])('routes %s to %j', (text, authority) => {
    expect(identifierAuthority(parseIdentifier(text, { now }))).toEqual(authority)
  })
})
