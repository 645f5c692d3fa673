/**
 * @module x509/pem
 * PEM (RFC 7468 section 5) for certificates: exactly one `CERTIFICATE` block, standard base64
 * with padding, no headers. Text before or after the block (comments) is ignored; a second block
 * is refused, so a "one certificate" input cannot smuggle a chain.
 */
import { fromBase64Url, toBase64Url } from '../bytes.js'
import { BaridError } from '../errors.js'

/** Longest PEM text accepted (a 16 KiB certificate is about 22 KiB of PEM). */
export const MAX_PEM_LENGTH = 24 * 1024

const BEGIN = '-----BEGIN CERTIFICATE-----'
const END = '-----END CERTIFICATE-----'

/**
 * The DER inside a PEM certificate. Throws `ERR_INPUT_TOO_LARGE` or `ERR_CERT_MALFORMED`.
 *
 * @example
 * ```ts
 * const der = pemToDer(readFileSync('root.pem', 'utf8'))
 * ```
 */
export function pemToDer(pem: string): Uint8Array {
  if (pem.length > MAX_PEM_LENGTH) {
    throw new BaridError('ERR_INPUT_TOO_LARGE', 'PEM text is larger than allowed', {
      details: { limit: MAX_PEM_LENGTH },
    })
  }
  const begin = pem.indexOf(BEGIN)
  const end = pem.indexOf(END)
  if (begin < 0 || end < begin) throw malformed('no CERTIFICATE block')
  if (pem.indexOf('-----BEGIN', begin + 1) >= 0) throw malformed('more than one PEM block')
  const body = pem.slice(begin + BEGIN.length, end).replace(/[ \t\r\n]+/g, '')
  // RFC 7468 section 3: standard base64 with padding.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0 || body.length === 0) {
    throw malformed('PEM body is not base64')
  }
  const url = body.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
  const der = fromBase64Url(url)
  if (toBase64Url(der) !== url) throw malformed('PEM body is not canonical base64')
  return der
}

/**
 * PEM text of a DER certificate, 64 characters a line (RFC 7468 section 2).
 *
 * @example
 * ```ts
 * writeFileSync('root.pem', derToPem(root.der))
 * ```
 */
export function derToPem(der: Uint8Array): string {
  const b64 = toBase64Url(der).replace(/-/g, '+').replace(/_/g, '/')
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4)
  const lines = padded.match(/.{1,64}/g) ?? []
  return `${BEGIN}\n${lines.join('\n')}\n${END}\n`
}

function malformed(why: string): BaridError {
  return new BaridError('ERR_CERT_MALFORMED', `certificate: ${why}`)
}
