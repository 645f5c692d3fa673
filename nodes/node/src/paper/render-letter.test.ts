import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PdfPage, countPdfPages } from './pdf-document.js'
import { readPdfText } from './pdf-text-reader.js'
import { PRINT_LIMITS } from './print-limits.js'
import { renderPaperLetter, type PaperLetter } from './render-letter.js'
import { shapedWordsKept } from './shape-run.js'
import { checkXref } from '../../test/pdf-xref.js'

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
  lang: 'da',
}

const arabic: PaperLetter = {
  ...base,
  evidenceUrl: `https://post.eg/v1/log/inclusion?evidence=${'ab'.repeat(32)}`,
  sender: 'tax@post.eg',
  recipient: { name: 'أحمد محمد علي', lines: ['١٥ شارع 26 يوليو، الدور 3', 'القاهرة 11511'] },
  returnAddress: 'البريد المصري، صندوق بريد 1، القاهرة',
  subject: 'إخطار بالضريبة العقارية (2026)',
  body: new TextEncoder().encode(
    'السيد أحمد،\n\nنود إعلامكم بأن الضريبة العقارية المستحقة على الوحدة رقم 15 ' +
      'هي 1,250 جنيهًا عن عام 2026.\n' +
      'Ref: EG-2026-77\n',
  ),
  attachments: ['تقرير.pdf'],
  lang: 'ar',
}

/** The text of each text object of each page, as read back through the ToUnicode maps. */
function texts(pdf: Uint8Array): string[][] {
  return readPdfText(pdf).pages.map((p) => p.runs.map((r) => r.text))
}

const reversed = (s: string): string => [...s].reverse().join('')

function errorCode(f: () => unknown): string | undefined {
  try {
    f()
  } catch (e) {
    return (e as { code?: string }).code
  }
  return undefined
}

describe('the print renderer', () => {
  it('writes a well-formed PDF whose cross-references all point at their objects', () => {
    const r = renderPaperLetter(base)
    checkXref(r.pdf)
    expect(countPdfPages(r.pdf)).toBe(r.pages)
    expect(r.pages).toBeGreaterThan(2)
    expect(r.extra).toBeUndefined()
    const read = readPdfText(r.pdf)
    const cover = read.pages[0]!.runs.map((x) => x.text)
    expect(cover).toContain('Karen Holm')
    expect(cover).toContain('Nørregade 1, 2. th.')
    expect(cover).toContain('1165 København K')
    expect((read.pages[0]!.content.match(/ re f/g) ?? []).length).toBeGreaterThan(50) // the QR code
    expect(read.pages[1]!.runs[0]!.text).toBe('2') // page numbers from 2
    expect(read.pages[1]!.runs[1]!.text).toBe('Kære Karen')
  })

  it('prints the cover labels in the letter\u2019s language: Danish, Arabic, else English', () => {
    expect(texts(renderPaperLetter(base).pdf)[0]).toEqual(
      expect.arrayContaining(['Dato', 'Svarfrist', 'Sider', 'Rekommanderet: Forkyndelse']),
    )
    const en = texts(renderPaperLetter({ ...base, lang: 'de-AT' }).pdf)[0]!
    expect(en).toEqual(
      expect.arrayContaining(['Date', 'Reply by', 'Registered: Service of process']),
    )
    const ar = texts(renderPaperLetter(arabic).pdf)[0]!.map(reversed)
    expect(ar).toEqual(expect.arrayContaining(['التاريخ', 'آخر موعد للرد', 'عدد الصفحات']))
    // An Arabic letter to a resident of Denmark: the cover in Danish, the body still Arabic.
    const toDk = readPdfText(renderPaperLetter({ ...arabic, languages: ['da', 'en'] }).pdf)
    expect(toDk.pages[0]!.runs.map((r) => r.text)).toContain('Svarfrist')
    expect(toDk.pages[1]!.runs.map((r) => r.text)).toContain('،دمحأ ديسلا')
  })

  it('prints an Arabic letter with no replacement mark, every character read back', () => {
    const r = renderPaperLetter(arabic)
    const read = readPdfText(r.pdf)
    const runs = read.pages.flatMap((p) => p.runs)
    expect(runs.flatMap((x) => x.cids)).not.toContain(0)
    const all = runs.map((x) => x.text).join('')
    expect(all).not.toContain('\ufffd')
    expect(all.replace(arabic.evidenceUrl, '')).not.toContain('?')
    const source = [
      arabic.recipient.name,
      ...arabic.recipient.lines,
      arabic.subject!,
      new TextDecoder().decode(arabic.body),
    ].join('')
    const shown = new Set(all)
    for (const ch of source.replace(/\s/g, '')) expect(shown.has(ch)).toBe(true)
    // The address reads right to left; the Latin digits in it left to right.
    expect(runs.map((x) => x.text)).toContain('3 رودلا ،ويلوي 26 عراش ١٥')
    // Right-to-left paragraphs are set flush right: a short one starts right of the middle.
    const greeting = read.pages[1]!.runs.find((x) => x.text === '،دمحأ ديسلا')!
    expect(greeting.x).toBeGreaterThan(300)
    // A paragraph that starts in Latin stays left to right, flush left.
    const ref = read.pages[1]!.runs.find((x) => x.text === 'Ref: EG-2026-77')!
    expect(ref.x).toBeLessThan(60)
  })

  it('keeps each attachment name and the sender whole inside the words of an Arabic cover', () => {
    const l = { ...arabic, sender: '12-34@post.eg', attachments: ['تقرير.pdf', 'report.pdf'] }
    const cover = texts(renderPaperLetter(l).pdf)[0]!
    // Read right to left: the label, then each name as written, with the Arabic comma.
    expect(cover).toContain(`report.pdf \u060cpdf.${reversed('تقرير')} :${reversed('المرفقات')}`)
    expect(cover).toContain(`12-34@post.eg :${reversed('من')}`)
    const da = texts(renderPaperLetter({ ...l, lang: 'da' }).pdf)[0]!
    expect(da).toContain(`Bilag: pdf.${reversed('تقرير')}, report.pdf`)
    expect(da).toContain('Fra: 12-34@post.eg')
  })

  it('prints the sender name before its address when names came with the letter', () => {
    const l = { ...base, sender: 'tax@post.eg', senderName: 'Den egyptiske skattemyndighed' }
    expect(texts(renderPaperLetter(l).pdf)[0]).toContain(
      'Fra: Den egyptiske skattemyndighed (tax@post.eg)',
    )
    const ar = { ...arabic, senderName: 'مصلحة الضرائب' }
    expect(texts(renderPaperLetter(ar).pdf)[0]).toContain(
      `(tax@post.eg) ${reversed('مصلحة الضرائب')} :${reversed('من')}`,
    )
    expect(texts(renderPaperLetter({ ...l, senderName: null }).pdf)[0]).toContain('Fra: tax@post.eg')
  })

  it('keeps any text printable: hostile characters cannot break out of a string', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 60 }),
        (body, name) => {
          const r = renderPaperLetter({
            ...base,
            subject: name,
            recipient: { name, lines: [name] },
            body: new TextEncoder().encode(body),
          })
          checkXref(r.pdf)
          expect(countPdfPages(r.pdf)).toBe(r.pages)
          const read = readPdfText(r.pdf)
          expect(read.pages.flatMap((p) => p.runs.flatMap((x) => x.cids))).not.toContain(0)
        },
      ),
      { numRuns: 20 },
    )
  })

  it('keeps none of a letter\u2019s words in memory once it is rendered', () => {
    new PdfPage().text(0, 0, 'Karen Holm')
    expect(shapedWordsKept()).toBeGreaterThan(0)
    renderPaperLetter(base)
    expect(shapedWordsKept()).toBe(0)
  })

  it('refuses a body beyond the print limits with a typed error', () => {
    const big = { ...base, body: new Uint8Array(PRINT_LIMITS.maxBodyBytes + 1).fill(0x61) }
    expect(errorCode(() => renderPaperLetter(big))).toBe('ERR_INPUT_TOO_LARGE')
    expect(errorCode(() => renderPaperLetter(base, { maxPages: 2 }))).toBe('ERR_INPUT_TOO_LARGE')
    const long = { ...base, body: new TextEncoder().encode('word '.repeat(2000)) }
    expect(errorCode(() => renderPaperLetter(long, { maxParagraphUnits: 5000 }))).toBe(
      'ERR_INPUT_TOO_LARGE',
    )
    expect(renderPaperLetter(long).pages).toBeGreaterThan(2)
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
