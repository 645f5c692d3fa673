/**
 * @module paper/render-letter
 * Renders an opened letter for the print channel (spec 17.6): a cover page whose address block
 * sits in the window of a C5/DL window envelope (DIN 5008 form B: 20 mm from the left edge,
 * 45 mm from the top, 85 × 45 mm), with the category, the letter id and a QR code that links
 * to the letter's evidence record in the operator's transparency log; then the body, when it is
 * text. A body of another type (a PDF) is written beside the cover, to be printed after it.
 */
import QRCode from 'qrcode'
import { A4, PdfPage, countPdfPages, mm, renderPdf } from './pdf-document.js'

export interface PaperLetter {
  letterId: string
  /** Lower-case hex id of the `handed-to-paper` record (registered mail), or null. */
  evidenceId: string | null
  /** What the QR code encodes: the record's inclusion proof on the operator's log, or the letter id. */
  evidenceUrl: string
  category: string | null
  sender: string
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
const BODY_CHARS = 80 // Courier 10 pt is 6 pt a character: 80 fit in 170 mm
const BODY_LINES = 60

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

function wrap(text: string): string[] {
  const out: string[] = []
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    let line = raw.replace(/\t/g, '    ')
    while (line.length > BODY_CHARS) {
      const cut = line.lastIndexOf(' ', BODY_CHARS)
      const at = cut > BODY_CHARS / 2 ? cut : BODY_CHARS
      out.push(line.slice(0, at))
      line = line.slice(at).replace(/^ /, '')
    }
    out.push(line)
  }
  return out
}

function cover(l: PaperLetter, bodyPages: number): PdfPage {
  const p = new PdfPage()
  const top = A4.height
  // Address window (DIN 5008 form B): return line, then the recipient.
  const wx = mm(20)
  const wy = top - mm(45)
  p.text(wx + mm(5), wy - mm(5), l.returnAddress, { size: 7 })
  p.rect(wx + mm(5), wy - mm(6.5), mm(75), 0.3)
  let y = wy - mm(14)
  for (const line of [l.recipient.name, ...l.recipient.lines].slice(0, 6)) {
    p.text(wx + mm(5), y, line, { size: 11 })
    y -= 13
  }
  // Right column: the facts a recipient and a court need.
  const rx = mm(125)
  let ry = top - mm(50)
  const fact = (label: string, value: string) => {
    p.text(rx, ry, label, { size: 7 })
    p.text(rx, ry - 10, value, { size: 9, font: 'Helvetica-Bold' })
    ry -= 26
  }
  fact('Date', l.date)
  fact('Category', l.category === null ? 'Letter' : `Registered: ${l.category}`)
  if (l.replyBy) fact('Reply by', l.replyBy)
  fact('Pages', String(1 + bodyPages))
  p.text(MARGIN, top - mm(110), l.subject ?? 'Letter', { size: 14, font: 'Helvetica-Bold' })
  p.text(MARGIN, top - mm(118), `From: ${l.sender}`, { size: 10 })
  p.text(MARGIN, top - mm(124), `Letter id: ${l.letterId}`, { size: 8, font: 'Courier' })
  if (l.evidenceId)
    p.text(MARGIN, top - mm(129), `Evidence: ${l.evidenceId}`, { size: 8, font: 'Courier' })
  const notes = [
    'This letter was sent to your digital mailbox. You are served on paper because you are',
    'exempt from digital post, so your postal operator printed it for you. Scan the code to',
    'check the record that it was handed to print in the operator\u2019s public evidence log.',
  ]
  notes.forEach((t, i) => p.text(MARGIN, top - mm(142) - i * 12, t, { size: 9 }))
  if (l.attachments.length > 0)
    p.text(MARGIN, top - mm(162), `Attachments: ${l.attachments.join(', ')}`, { size: 9 })
  drawQr(p, l.evidenceUrl, MARGIN, mm(90), mm(45))
  p.text(MARGIN + mm(50), mm(60), 'Evidence of this letter', { size: 8 })
  p.text(MARGIN + mm(50), mm(55), l.evidenceUrl.slice(0, 90), { size: 6, font: 'Courier' })
  p.rect(mm(10), mm(10), A4.width - mm(20), A4.height - mm(20), { stroke: true, width: 0.3 })
  return p
}

/**
 * Renders the print file(s) of a letter.
 *
 * @example
 * ```ts
 * const { pdf, pages } = renderPaperLetter({ letterId, evidenceId, evidenceUrl, category: 'registered', ... })
 * ```
 */
export function renderPaperLetter(l: PaperLetter): RenderedLetter {
  const text = /^text\//i.test(l.contentType)
  const bodyPages: PdfPage[] = []
  if (text) {
    const lines = wrap(new TextDecoder().decode(l.body))
    for (let i = 0; i < lines.length; i += BODY_LINES) {
      const page = new PdfPage()
      lines
        .slice(i, i + BODY_LINES)
        .forEach((line, j) =>
          page.text(MARGIN, A4.height - MARGIN - 12 - j * 12, line, { size: 10, font: 'Courier' }),
        )
      page.text(A4.width - MARGIN - mm(20), mm(12), `${bodyPages.length + 2}`, { size: 8 })
      bodyPages.push(page)
    }
  }
  const isPdf = !text && /^application\/pdf/i.test(l.contentType)
  const extraPages = text ? 0 : isPdf ? Math.max(1, countPdfPages(l.body)) : 1
  const pdf = renderPdf([cover(l, bodyPages.length + extraPages), ...bodyPages], {
    title: l.subject ?? 'Letter',
  })
  return {
    pdf,
    pages: 1 + bodyPages.length + extraPages,
    ...(text ? {} : { extra: { bytes: l.body, extension: isPdf ? 'pdf' : 'bin' } }),
  }
}
