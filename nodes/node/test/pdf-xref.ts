/**
 * @module test/pdf-xref
 * The structural check the paper-channel tests make of every PDF they render.
 */
import { expect } from 'vitest'

/**
 * Checks the cross-reference table: every entry points at its object's header. Returns the
 * number of entries (objects plus the free entry 0).
 */
export function checkXref(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString('latin1')
  expect(text.startsWith('%PDF-1.4\n')).toBe(true)
  const start = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)![1])
  const table = text.slice(start).split('\n')
  expect(table[0]).toBe('xref')
  const count = Number(table[1]!.split(' ')[1])
  for (let i = 1; i < count; i++) {
    const offset = Number(table[2 + i]!.slice(0, 10))
    expect(text.startsWith(`${i} 0 obj\n`, offset)).toBe(true)
  }
  return count
}
