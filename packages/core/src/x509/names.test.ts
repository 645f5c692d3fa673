import { describe, expect, it } from 'vitest'
import { isBaridError } from '../errors.js'
import { x509 } from './setup.js'
import { readDer } from './der.js'
import { readName } from './names.js'

function nameOf(json: x509.JsonNameParams) {
  const der = new Uint8Array(new x509.Name(json).toArrayBuffer())
  return readName(der, readDer(der))
}

describe('readName', () => {
  it('writes RFC 4514 text, last RDN first, and picks out CN, O and C', () => {
    const n = nameOf([
      { C: ['EG'] },
      { O: [{ utf8String: 'Egypt Post' }] },
      { CN: [{ utf8String: 'Amina Hassan' }] },
    ])
    expect(n.text).toBe('CN=Amina Hassan,O=Egypt Post,C=EG')
    expect([n.commonName, n.organization, n.country, n.attributeCount]).toEqual([
      'Amina Hassan',
      'Egypt Post',
      'EG',
      3,
    ])
  })

  it('escapes RFC 4514 special characters and keeps non-ASCII text', () => {
    const n = nameOf([
      { CN: [{ utf8String: '#Smith, "Jr" + co; <x> \\ ' }] },
      { O: [{ utf8String: 'البريد المصري' }] },
    ])
    expect(n.text).toBe('O=البريد المصري,CN=\\#Smith\\, \\"Jr\\" \\+ co\\; \\<x\\> \\\\\\ ')
  })

  it('escapes a lone space and leading spaces once', () => {
    expect(nameOf([{ CN: [{ utf8String: ' ' }] }]).text).toBe('CN=\\ ')
    expect(nameOf([{ CN: [{ utf8String: '  ' }] }]).text).toBe('CN=\\ \\ ')
  })

  it('writes multi-valued RDNs with + and unknown types as OIDs', () => {
    const n = nameOf([{ CN: ['a'], '1.2.3.4': ['b'] }])
    expect(n.text).toBe('CN=a+1.2.3.4=b')
  })

  it('refuses a UTF8String that is not UTF-8', () => {
    const der = new Uint8Array([
      0x30, 0x0a, 0x31, 0x08, 0x30, 0x06, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0xff,
    ])
    der[1] = der.length - 2
    der[3] = der.length - 4
    der[5] = der.length - 6
    let err: unknown
    try {
      readName(der, readDer(der))
    } catch (e) {
      err = e
    }
    expect(isBaridError(err, 'ERR_CERT_MALFORMED')).toBe(true)
  })
})
