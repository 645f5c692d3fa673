// Operator ids and mailbox addresses (spec 03, 3.2 and 3.3).
import { fail } from './cbor.mjs'

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/
const LOCAL = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)*$/

const asciiFold = (s) => {
  if (!/^[\x21-\x7e]*$/.test(s)) fail('ERR_ADDRESS_INVALID', 'not printable ASCII')
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase())
}

/** 3.2: parses an input form; returns the canonical operator id. */
export function operatorId(input) {
  if (typeof input !== 'string') fail('ERR_ADDRESS_INVALID', 'not text')
  const s = asciiFold(input)
  if (s.length > 253) fail('ERR_ADDRESS_INVALID', 'too long')
  const labels = s.split('.')
  if (labels.length < 2) fail('ERR_ADDRESS_INVALID', 'one label')
  for (const l of labels) {
    if (!LABEL.test(l)) fail('ERR_ADDRESS_INVALID', `label ${l}`)
    if (l.slice(2, 4) === '--' && !l.startsWith('xn--'))
      fail('ERR_ADDRESS_INVALID', 'reserved label')
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1])) fail('ERR_ADDRESS_INVALID', 'numeric last label')
  return s
}

/** 3.3: parses an input form; returns { local, operator, address }. */
export function mailboxAddress(input) {
  if (typeof input !== 'string') fail('ERR_ADDRESS_INVALID', 'not text')
  const s = asciiFold(input)
  if (s.length > 254) fail('ERR_ADDRESS_INVALID', 'too long')
  const parts = s.split('@')
  if (parts.length !== 2) fail('ERR_ADDRESS_INVALID', 'not one @')
  const [local, op] = parts
  if (local.length < 1 || local.length > 64 || !LOCAL.test(local))
    fail('ERR_ADDRESS_INVALID', 'local part')
  const operator = operatorId(op)
  return { local, operator, address: `${local}@${operator}` }
}

/** 3.1: a protocol message carries the canonical form only. */
export function canonicalMailbox(s) {
  if (mailboxAddress(s).address !== s) fail('ERR_ADDRESS_INVALID', 'not canonical')
  return s
}
export function canonicalOperator(s) {
  if (operatorId(s) !== s) fail('ERR_ADDRESS_INVALID', 'not canonical')
  return s
}
