import bidiFactory from 'bidi-js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_PDF_PAGES, MAX_TEXT_UNITS, PdfPage, countPdfPages, renderPdf } from './pdf-document.js'
import { readPdfText, type PdfText } from './pdf-text-reader.js'
import { checkXref } from '../../test/pdf-xref.js'

const bidi = bidiFactory()

/** Renders one line of text and reads it back. */
function roundTrip(text: string, o: Parameters<PdfPage['text']>[3] = {}): PdfText {
  const pdf = renderPdf([new PdfPage().text(50, 700, text, o)])
  checkXref(pdf)
  return readPdfText(pdf)
}

const shown = (r: PdfText): string => r.pages.flatMap((p) => p.runs.map((x) => x.text)).join('')
const cids = (r: PdfText): number[] => r.pages.flatMap((p) => p.runs.flatMap((x) => x.cids))
const reversed = (s: string): string => [...s].reverse().join('')

describe('the PDF writer', () => {
  it('embeds a subset of DejaVu Sans as a composite font with a ToUnicode map', () => {
    const r = roundTrip('Hello')
    const font = r.fonts.get('F1')!
    expect(font.embedded).toBe(true)
    expect(font.baseFont).toMatch(/^[A-Z]{6}\+DejaVuSans$/)
    expect(shown(r)).toBe('Hello')
    // Only the glyphs shown, plus .notdef at CID 0: H, e, l, o.
    expect(new Set(cids(r))).toEqual(new Set([1, 2, 3, 4]))
  })

  it('prints Arabic in its joined forms, and its ToUnicode text reverses to the input', () => {
    // Marks (damma, tanween) and the lam-alef ligature (in لأنك, إعلان) included.
    const text = 'أُرسلت هذه الرسالة لأنك معفى ورقيًا من إعلان قضائي'
    const r = roundTrip(text)
    expect(cids(r)).not.toContain(0)
    expect(shown(r)).not.toContain('\ufffd')
    // Shown in visual order (right to left reads left to right): reversed, it is the letter.
    expect(reversed(shown(r))).toBe(text)
    // Every code point of the input is in the ToUnicode map.
    const mapped = new Set([...r.fonts.get('F1')!.toUnicode.values()].join(''))
    for (const ch of text) expect(mapped.has(ch)).toBe(true)
    // Contextual forms: the four forms of meem are not all one glyph.
    const meem = roundTrip('م ممم')
    // Isolated, space, initial, medial, final.
    expect(new Set(cids(meem)).size).toBeGreaterThanOrEqual(4)
  })

  it('prints Danish æ, ø and å as they are written', () => {
    const text = 'Blåbærgrød på Ærø, Øster Søgade 3, 2100 København Ø'
    const r = roundTrip(text)
    expect(shown(r)).toBe(text)
    expect(cids(r)).not.toContain(0)
  })

  it('orders an Arabic line with Latin digits and address parts as the bidi algorithm says', () => {
    const text = 'العنوان: شارع 26 يوليو، رقم 15 (الدور 3) Cairo 11511'
    const levels = bidi.getEmbeddingLevels(text, 'rtl')
    expect(shown(roundTrip(text))).toBe(bidi.getReorderedString(text, levels))
    // Digits keep their left-to-right order inside the right-to-left line.
    expect(shown(roundTrip('رقم 12345'))).toBe('12345 مقر')
  })

  it('shows any mix of Arabic, Latin and digits in bidi order, with no .notdef glyph', () => {
    const alphabet = fc.constantFrom(
      ...'ابتثجحخدذرزسشصضطظعغفقكلمنهويءةىأإآ',
      ...'abcxyzAÆØÅæøå',
      ...'0123456789٠١٢٣٤٥٦٧٨٩',
      ...' .,:-/()',
    )
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), fc.boolean(), (chars, rtl) => {
        const text = chars.join('')
        const pdf = renderPdf([
          new PdfPage().text(50, 700, text, { fallback: rtl ? 'rtl' : 'ltr' }),
        ])
        checkXref(pdf)
        expect(countPdfPages(pdf)).toBe(1)
        const r = readPdfText(pdf)
        expect(cids(r)).not.toContain(0)
        // The line as UAX #9 orders it (rules P2/P3 for its direction, L1 to L4).
        const line = text.trimEnd()
        const strong = /[\p{L}]/u.exec(line)?.[0]
        const base = strong ? (/[a-zæøå]/i.test(strong) ? 'ltr' : 'rtl') : rtl ? 'rtl' : 'ltr'
        const expected = bidi.getReorderedString(line, bidi.getEmbeddingLevels(line, base))
        expect(shown(r)).toBe(expected)
      }),
      { numRuns: 60 },
    )
  })

  it('never shows .notdef: a character the font lacks prints as a replacement mark', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const r = roundTrip(text)
        expect(cids(r)).not.toContain(0)
      }),
      { numRuns: 40 },
    )
    expect(shown(roundTrip('漢字 ok'))).toBe('\ufffd\ufffd ok')
  })

  it('sets a right-to-left line flush right in its box', () => {
    const box = { width: 400, size: 10 }
    const rtl = readPdfText(renderPdf([new PdfPage().text(50, 700, 'مرحبا', box)]))
    const ltr = readPdfText(renderPdf([new PdfPage().text(50, 700, 'Hello', box)]))
    expect(rtl.pages[0]!.runs[0]!.x).toBeGreaterThan(400)
    expect(ltr.pages[0]!.runs[0]!.x).toBe(50)
  })

  it('writes a title in any script as a UTF-16 text string', () => {
    const pdf = renderPdf([new PdfPage()], { title: 'إخطار (2026)' })
    checkXref(pdf)
    expect(Buffer.from(pdf).toString('latin1')).toContain('/Title <FEFF0625062E')
  })

  it('refuses a text or a page count beyond its limits, or a position not a number', () => {
    const code = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return (e as { code?: string }).code
      }
      return undefined
    }
    expect(code(() => new PdfPage().text(0, 0, 'x'.repeat(MAX_TEXT_UNITS + 1)))).toBe(
      'ERR_INPUT_TOO_LARGE',
    )
    const pages = Array.from({ length: MAX_PDF_PAGES + 1 }, () => new PdfPage())
    expect(code(() => renderPdf(pages))).toBe('ERR_INPUT_TOO_LARGE')
    expect(code(() => new PdfPage().rect(Number.NaN, 0, 1, 1))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => new PdfPage().text(0, Infinity, 'x'))).toBe('ERR_INVALID_ARGUMENT')
  })
})
