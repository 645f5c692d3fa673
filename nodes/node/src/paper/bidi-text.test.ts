import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_LINE_UNITS, baseDirection, fitLine, layoutParagraph } from './bidi-text.js'
import { coverLanguage, languageDirection } from './cover-labels.js'
import { PdfPage, renderPdf } from './pdf-document.js'
import { readPdfText } from './pdf-text-reader.js'

const points = (line: { width: number; unitsPerEm: number }, size: number) =>
  (line.width * size) / line.unitsPerEm

const word = fc
  .array(fc.constantFrom(...'abcdefghijæøåABC0123456789بتثجحخسشلمنهويا١٢٣'), {
    minLength: 1,
    maxLength: 12,
  })
  .map((cs) => cs.join(''))

describe('bidi text layout', () => {
  it('takes a paragraph direction from its first strong character, else the fallback', () => {
    expect(baseDirection('123 مرحبا abc', 'ltr')).toBe('rtl')
    expect(baseDirection('(12) Nørregade شارع', 'rtl')).toBe('ltr')
    expect(baseDirection('2026-03-01', 'rtl')).toBe('rtl')
    expect(baseDirection('\u2067abc\u2069 شارع', 'ltr')).toBe('rtl') // an isolate is skipped (P2)
  })

  it('breaks a paragraph at spaces into lines no wider than the box, losing no word', () => {
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 120, max: 400 }),
        (words, width) => {
          const lines = layoutParagraph(words.join(' '), { size: 10, width })
          for (const line of lines) expect(points(line, 10)).toBeLessThanOrEqual(width + 0.01)
          expect(lines.flatMap((l) => l.text.split(' '))).toEqual(words)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('breaks a word wider than the box inside it, and a line of zero-width marks by length', () => {
    const long = 'x'.repeat(300)
    const lines = layoutParagraph(long, { size: 10, width: 100 })
    expect(lines.length).toBeGreaterThan(1)
    expect(lines.map((l) => l.text).join('')).toBe(long)
    for (const line of lines) expect(points(line, 10)).toBeLessThanOrEqual(100.01)
    const marks = `a${'\u0301'.repeat(3000)}`
    const split = layoutParagraph(marks, { size: 10, width: 100 })
    for (const line of split) expect(line.text.length).toBeLessThanOrEqual(MAX_LINE_UNITS)
    expect(split.length).toBeLessThanOrEqual(4)
    expect(split.map((l) => l.text).join('')).toBe(marks.normalize('NFC'))
  })

  it('cuts a line that does not fit with an ellipsis, at its logical end', () => {
    const ltr = fitLine('Digital Post, Postboks 1, 2100 København Ø', { size: 10, width: 80 })
    expect(ltr.text.endsWith('\u2026')).toBe(true)
    expect(points(ltr, 10)).toBeLessThanOrEqual(80.01)
    const rtl = fitLine('البريد المصري، صندوق بريد 1، القاهرة', { size: 10, width: 80 })
    expect(rtl.direction).toBe('rtl')
    expect(rtl.text.startsWith('البريد')).toBe(true)
    expect(rtl.text.endsWith('\u2026')).toBe(true)
    const three = layoutParagraph('word '.repeat(100), { size: 10, width: 100, maxLines: 3 })
    expect(three).toHaveLength(3)
    expect(three[2]!.text.endsWith('\u2026')).toBe(true)
  })

  it('joins Arabic letters into their contextual forms', () => {
    const [alone] = layoutParagraph('م')
    const [joined] = layoutParagraph('ممم')
    const ids = joined!.glyphs.map((g) => g.id)
    expect(new Set(ids).size).toBe(3) // final, medial, initial (left to right)
    expect(ids).not.toContain(alone!.glyphs[0]!.id)
    expect(joined!.glyphs.every((g) => g.codePoints[0] === 0x0645)).toBe(true)
  })

  it('reads presentation forms given as such as the letters they show', () => {
    expect(layoutParagraph('\ufefb')[0]!.text).toBe('\u0644\u0627') // lam-alef ligature
    expect(layoutParagraph('\ufb01le')[0]!.text).toBe('file')
    // Forms with no letters of their own, or that stand for a whole phrase, stay as they are.
    expect(layoutParagraph('\ufd3e\ufdd0\ufdfa')[0]!.text).toHaveLength(3)
  })

  it('keeps shaping and ToUnicode right after the same glyphs were embedded', () => {
    // Embedding creates glyph objects (composite components of å, the lam-alef ligature);
    // shaping later must still see each glyph's own characters.
    renderPdf([new PdfPage().text(0, 0, 'å \ufefb ﻣ')])
    const pdf = renderPdf([new PdfPage().text(0, 0, 'a لا مم')])
    const text = readPdfText(pdf).pages[0]!.runs[0]!.text
    expect(text).toBe('a مم ال') // visual order: the Arabic run reversed, ligature included
    const [line] = layoutParagraph('مم')
    expect(line!.glyphs.map((g) => g.codePoints)).toEqual([[0x0645], [0x0645]])
  })

  it('prints the cover in the letter language when the recipient operator serves it', () => {
    expect(coverLanguage('ar-EG', ['ar', 'en'])).toBe('ar')
    expect(coverLanguage('ar', ['da', 'en'])).toBe('da')
    expect(coverLanguage('EN', ['da', 'en'])).toBe('en')
    expect(coverLanguage('de')).toBe('en')
    expect(coverLanguage('da', ['fr'])).toBe('en')
    expect(languageDirection('ar-EG')).toBe('rtl')
    expect(languageDirection('da')).toBe('ltr')
  })
})
