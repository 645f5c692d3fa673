import { describe, expect, it } from 'vitest'
import { BaridError } from '../errors.js'
import { parseIdentifier } from './identifier.js'

function codeOf(text: string): string | undefined {
  try {
    parseIdentifier(text)
    return undefined
  } catch (e) {
    expect(e).toBeInstanceOf(BaridError)
    return (e as BaridError).code
  }
}

describe('opaque identifiers (opaque:<operator>:<token>)', () => {
  it('splits operator and token, lower-casing the operator and keeping the token as is', () => {
    expect(parseIdentifier('OPAQUE:Post.EG:AbC-1.x_y~z')).toEqual({
      scheme: 'opaque',
      value: 'post.eg:AbC-1.x_y~z',
      text: 'opaque:post.eg:AbC-1.x_y~z',
      operator: 'post.eg',
      token: 'AbC-1.x_y~z',
    })
  })

  it('treats tokens differing only in case as different identifiers', () => {
    expect(parseIdentifier('opaque:post.eg:abc').text).not.toBe(
      parseIdentifier('opaque:post.eg:ABC').text,
    )
  })

  it('accepts a 128-character token and refuses a 129-character one', () => {
    expect(parseIdentifier(`opaque:post.eg:${'t'.repeat(128)}`).scheme).toBe('opaque')
    expect(codeOf(`opaque:post.eg:${'t'.repeat(129)}`)).toBe('ERR_IDENTIFIER_INVALID')
  })

  it.each([
    ['opaque:post.eg', 'no token'],
    ['opaque:post.eg:', 'an empty token'],
    ['opaque:post.eg:a:b', 'a colon in the token'],
    ['opaque:post.eg:a/b', 'a slash in the token'],
    ['opaque:post.eg:a%20b', 'a percent sign in the token'],
    ['opaque:post:abc', 'a one-label operator'],
    ['opaque::abc', 'an empty operator'],
    ['opaque:-post.eg:abc', 'a malformed operator'],
  ])('refuses %s (%s) with ERR_IDENTIFIER_INVALID', (text) => {
    expect(codeOf(text)).toBe('ERR_IDENTIFIER_INVALID')
  })
})
