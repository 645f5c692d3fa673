/**
 * @module demo/pdf
 * The demo's attachments: a one-page A4 document of a few lines, drawn with the paper channel's
 * PDF writer (embedded font, so Arabic and Danish lines print as written, right to left where
 * they are Arabic).
 */
import { A4, PdfPage, mm, renderPdf } from '../paper/pdf-document.js'

/**
 * @example
 * ```ts
 * const pdf = makePdf(['مصلحة الضرائب المصرية', 'Tax assessment 2025', 'Amount due: 0 EGP'])
 * ```
 */
export function makePdf(lines: readonly string[], title = lines[0] ?? 'Barid demo'): Uint8Array {
  const page = new PdfPage()
  const left = mm(25)
  const width = A4.width - 2 * left
  lines.forEach((l, i) => {
    page.text(left, A4.height - mm(30) - i * 20, l, {
      size: i === 0 ? 16 : 12,
      font: i === 0 ? 'bold' : 'regular',
      width,
    })
  })
  return renderPdf([page], { title })
}
