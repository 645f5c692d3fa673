/**
 * @module paper/render-letter
 * Renders an opened letter for the print channel (spec 17.6): a cover page whose address block
 * sits in the window of a C5/DL window envelope (DIN 5008 form B: 20 mm from the left edge,
 * 45 mm from the top, 85 × 45 mm), with the category, the letter id and a QR code that links
 * to the letter's evidence record in the operator's transparency log; then the body, when it is
 * text. A body of another type (a PDF) is written beside the cover, to be printed after it.
 * The cover is printed in the letter's language (Arabic, Danish or English; Arabic set right to
 * left) and every text in the script it is written in, with an embedded font (see pdf-document).
 */
import QRCode from 'qrcode'
import { BaridError } from '../core.js'
import { layoutParagraph, type Direction } from './bidi-text.js'
import {
  coverLabels,
  coverLanguage,
  languageDirection,
  type CoverLabels,
} from './cover-labels.js'
import { A4, PdfPage, countPdfPages, mm, renderPdf, type TextOptions } from './pdf-document.js'
import { forgetShapedWords } from './shape-run.js'
import { PRINT_LIMITS, type PrintLimits } from './print-limits.js'

export interface PaperLetter {
  letterId: string
  /** Lower-case hex id of the `handed-to-paper` record (registered mail), or null. */
  evidenceId: string | null
  /** What the QR code encodes: the record's inclusion proof on the operator's log, or the id. */
  evidenceUrl: string
  category: string | null
  sender: string
  /**
   * The sender's display name in the cover's language order (spec 17.6), printed before its
   * address; absent when no names came with the letter.
   */
  senderName?: string | null
  /** Name and postal address lines of the recipient. */
  recipient: { name: string; lines: readonly string[] }
  /** The operator's return address line. */
  returnAddress: string
  /** Date line, already formatted in the operator's time zone. */
  date: string
  subject?: string
  contentType: string
  body: Uint8Array
  replyBy?: string
  attachments: readonly string[]
  /**
   * BCP 47 tag of the letter's language (its header's `lang`): the cover's language when the
   * recipient's operator serves it, and the direction of body paragraphs that have no strong
   * character of their own. Default `en`.
   */
  lang?: string
  /** The recipient operator's languages (its profile's), first preferred: {@link coverLanguage}. */
  languages?: readonly string[]
}

export interface RenderedLetter {
  /** The cover page, and the body pages when the body is text. */
  pdf: Uint8Array
  /** A body that is not text, to be printed after `pdf` (e.g. `application/pdf`), or undefined. */
  extra?: { bytes: Uint8Array; extension: string }
  /** Pages printed in total. */
  pages: number
}

const MARGIN = mm(20)
const TEXT_WIDTH = A4.width - 2 * MARGIN // 170 mm
const BODY_SIZE = 10
const BODY_LEADING = 13
const BODY_TOP = A4.height - MARGIN - BODY_LEADING
const BODY_BOTTOM = mm(22)

function tooLarge(what: string, limit: number, value: number): BaridError {
  return new BaridError('ERR_INPUT_TOO_LARGE', `${what} exceeds the print limit`, {
    details: { limit, value },
  })
}

/** Draws a QR code of `text` with its top-left corner at (x, top), `size` points wide. */
function drawQr(page: PdfPage, text: string, x: number, top: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const count = qr.modules.size
  const cell = size / (count + 8) // 4 modules of quiet zone each side (ISO/IEC 18004)
  for (let row = 0; row < count; row++) {
    let run = -1
    for (let col = 0; col <= count; col++) {
      const dark = col < count && qr.modules.get(row, col) === 1
      if (dark && run < 0) run = col
      if (!dark && run >= 0) {
        page.rect(x + (4 + run) * cell, top - (5 + row) * cell, (col - run) * cell, cell)
        run = -1
      }
    }
  }
}

/** A display text no longer than `max` code units, so layout work stays bounded. */
const clip = (s: string, max = 2000): string => (s.length > max ? `${s.slice(0, max)}\u2026` : s)

/**
 * A value set inside a sentence of the cover (a name, an address): a Unicode isolate (UAX #9
 * FSI … PDI), so that its direction neither takes nor gives order to the text around it. Without
 * it, `تقرير.pdf, report.pdf` on an Arabic cover showed the first name's `pdf` after the second
 * name, and an address like `12-34@post.eg` as `post.eg@34-12`.
 */
const isolate = (s: string): string => `\u2068${s}\u2069`

function categoryName(l: PaperLetter, t: CoverLabels): string {
  if (l.category === null) return t.letter
  const name = t.categories[l.category] ?? l.category
  return l.category === 'registered' ? name : `${t.registered}: ${name}`
}

function cover(l: PaperLetter, t: CoverLabels, bodyPages: number): PdfPage {
  const p = new PdfPage()
  const top = A4.height
  // Every text follows the cover's language: flush right in Arabic, with the bidi algorithm
  // ordering the Latin and digits inside; a text without strong characters takes its direction.
  const dir: Direction = t.direction
  const align = dir === 'rtl' ? 'right' : 'left'
  const at = (o: TextOptions): TextOptions => ({ align, fallback: dir, ...o })
  // Address window (DIN 5008 form B): return line, then the recipient.
  const wx = mm(25)
  const ww = mm(75)
  const wy = top - mm(45)
  p.text(wx, wy - mm(5), clip(l.returnAddress), at({ size: 7, width: ww }))
  p.rect(wx, wy - mm(6.5), ww, 0.3)
  let y = wy - mm(14)
  for (const line of [l.recipient.name, ...l.recipient.lines].slice(0, 6)) {
    p.text(wx, y, clip(line), at({ size: 11, width: ww }))
    y -= 13
  }
  // Right column: the facts a recipient and a court need.
  const rx = mm(125)
  const rw = mm(65)
  let ry = top - mm(50)
  const fact = (label: string, value: string) => {
    p.text(rx, ry, label, at({ size: 7, width: rw }))
    p.text(rx, ry - 10, clip(value), at({ size: 9, font: 'bold', width: rw }))
    ry -= 26
  }
  fact(t.date, l.date)
  fact(t.category, categoryName(l, t))
  if (l.replyBy) fact(t.replyBy, l.replyBy)
  fact(t.pages, String(1 + bodyPages))
  // Title, sender, ids, the notice and the attachments, top to bottom.
  y = top - mm(110)
  const block = (text: string, o: TextOptions & { leading: number; maxLines: number }) => {
    y = p.paragraph(MARGIN, y, clip(text), { ...at(o), width: TEXT_WIDTH })
  }
  block(l.subject ?? t.letter, { size: 14, font: 'bold', leading: 17, maxLines: 2 })
  y -= 3
  const from = l.senderName
    ? `${isolate(l.senderName)} (${isolate(l.sender)})`
    : isolate(l.sender)
  block(`${t.from}: ${from}`, { size: 10, leading: 17, maxLines: 2 })
  block(`${t.letterId}: ${l.letterId}`, { size: 8, leading: 14, maxLines: 1 })
  if (l.evidenceId) block(`${t.evidence}: ${l.evidenceId}`, { size: 8, leading: 14, maxLines: 1 })
  y -= 14
  const notice = l.evidenceId ? `${t.served} ${t.scan}` : t.served
  block(notice, { size: 9, leading: 12, maxLines: 5 })
  if (l.attachments.length > 0) {
    y -= 12
    const names = l.attachments.slice(0, 64).map((a) => isolate(clip(a, 300)))
    block(`${t.attachments}: ${clip(names.join(t.listSeparator))}`, {
      size: 9,
      leading: 12,
      maxLines: 6,
    })
  }
  drawQr(p, l.evidenceUrl, MARGIN, mm(90), mm(45))
  const qx = MARGIN + mm(50)
  const qw = TEXT_WIDTH - mm(50)
  p.text(qx, mm(60), t.evidenceOfLetter, at({ size: 8, width: qw }))
  p.paragraph(qx, mm(55), clip(l.evidenceUrl, 500), {
    ...at({ size: 6, width: qw, direction: 'ltr' }),
    width: qw,
    maxLines: 3,
  })
  p.rect(mm(10), mm(10), A4.width - mm(20), A4.height - mm(20), { stroke: true, width: 0.3 })
  return p
}

/** The body's pages: each paragraph wrapped to the text width, RTL paragraphs flush right. */
function bodyPages(text: string, fallback: Direction, limits: PrintLimits): PdfPage[] {
  const pages: PdfPage[] = []
  let page: PdfPage | undefined
  let y = BODY_BOTTOM
  for (const paragraph of text.split(/\r\n|[\n\r\f\v\x85\u2028\u2029]/)) {
    if (paragraph.length > limits.maxParagraphUnits)
      throw tooLarge('a paragraph of the body', limits.maxParagraphUnits, paragraph.length)
    const lines = layoutParagraph(paragraph, { size: BODY_SIZE, width: TEXT_WIDTH, fallback })
    for (const line of lines) {
      if (!page || y < BODY_BOTTOM) {
        // The cover is one more page.
        if (pages.length + 2 > limits.maxPages)
          throw tooLarge('the page count', limits.maxPages, pages.length + 2)
        page = new PdfPage()
        pages.push(page)
        const number = String(pages.length + 1)
        page.text(0, mm(12), number, { size: 8, width: A4.width, align: 'center' })
        y = BODY_TOP
      }
      page.line(MARGIN, y, line, { size: BODY_SIZE, width: TEXT_WIDTH })
      y -= BODY_LEADING
    }
  }
  return pages
}

/**
 * Renders the print file(s) of a letter.
 *
 * @example
 * ```ts
 * const { pdf, pages } = renderPaperLetter({ letterId, evidenceUrl, lang: 'ar', ... })
 * ```
 */
export function renderPaperLetter(
  l: PaperLetter,
  limits: Partial<PrintLimits> = {},
): RenderedLetter {
  try {
    return render(l, { ...PRINT_LIMITS, ...limits })
  } finally {
    forgetShapedWords() // the letter's words leave memory with it (spec 17.6)
  }
}

function render(l: PaperLetter, lim: PrintLimits): RenderedLetter {
  const t = coverLabels(coverLanguage(l.lang, l.languages))
  const text = /^text\//i.test(l.contentType)
  let body: PdfPage[] = []
  if (text) {
    if (l.body.length > lim.maxBodyBytes)
      throw tooLarge('the text body', lim.maxBodyBytes, l.body.length)
    body = bodyPages(new TextDecoder().decode(l.body), languageDirection(l.lang), lim)
  }
  const isPdf = !text && /^application\/pdf/i.test(l.contentType)
  const extraPages = text ? 0 : isPdf ? Math.max(1, countPdfPages(l.body)) : 1
  const pdf = renderPdf([cover(l, t, body.length + extraPages), ...body], {
    title: clip(l.subject ?? t.letter, 500),
  })
  return {
    pdf,
    pages: 1 + body.length + extraPages,
    ...(text ? {} : { extra: { bytes: l.body, extension: isPdf ? 'pdf' : 'bin' } }),
  }
}
