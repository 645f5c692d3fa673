import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { countPdfPages } from './pdf-document.js'
import { renderPaperLetter, type PaperLetter } from './render-letter.js'

const base: PaperLetter = {
  letterId: '01972ab8-2280-7303-8303-030303030303',
  evidenceId: 'ab'.repeat(32),
  evidenceUrl: `https://digitalpost.dk/v1/log/inclusion?evidence=${'ab'.repeat(32)}`,
  category: 'service-of-process',
  sender: 'skat@digitalpost.dk',
  recipient: { name: 'Karen Holm', lines: ['Nørregade 1, 2. th.', '1165 København K'] },
  returnAddress: 'Digital Post, Postboks 1, 2100 København Ø',
  date: '2026-03-01',
  subject: 'Afgørelse (ejendomsvurdering)',
  contentType: 'text/plain; charset=utf-8',
  body: new TextEncoder().encode('Kære Karen\n\n' + 'Lorem ipsum dolor sit amet. '.repeat(400)),
  replyBy: '2026-03-29',
  attachments: [],
}

/** Checks the cross-reference table: every entry points at its object's header. */
function checkXref(pdf: Uint8Array): number {
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

describe('the print renderer', () => {
  it('writes a well-formed PDF whose cross-references all point at their objects', () => {
    const r = renderPaperLetter(base)
    checkXref(r.pdf)
    expect(countPdfPages(r.pdf)).toBe(r.pages)
    expect(r.pages).toBeGreaterThan(2)
    expect(r.extra).toBeUndefined()
    const text = Buffer.from(r.pdf).toString('latin1')
    expect(text).toContain('(Karen Holm) Tj')
    expect(text).toContain('(N\xf8rregade 1, 2. th.) Tj') // WinAnsi keeps Danish letters
    expect((text.match(/ re f/g) ?? []).length).toBeGreaterThan(50) // the QR code's modules
  })

  it('keeps any text printable: hostile characters cannot break out of a string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 60 }), (body, name) => {
        const r = renderPaperLetter({
          ...base,
          subject: name,
          recipient: { name, lines: [name] },
          body: new TextEncoder().encode(body),
        })
        checkXref(r.pdf)
        expect(countPdfPages(r.pdf)).toBe(r.pages)
      }),
      { numRuns: 40 },
    )
  })

  it('prints a PDF body after the cover and counts its pages', () => {
    const r = renderPaperLetter({
      ...base,
      contentType: 'application/pdf',
      body: renderPaperLetter(base).pdf,
    })
    expect(r.extra?.extension).toBe('pdf')
    expect(r.pages).toBe(1 + countPdfPages(r.extra!.bytes))
  })
})
