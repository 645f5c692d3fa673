/**
 * @module paper/pdf-document
 * A minimal PDF writer (ISO 32000-1): A4 pages of text in the standard Type 1 fonts and filled
 * or stroked rectangles, nothing else. Enough for a print-ready cover page with an address
 * window and a QR code, and for plain-text bodies, without a PDF library. Text is written in
 * WinAnsiEncoding (ISO 32000-1 annex D): characters outside it print as `?`; a deployment that
 * prints other scripts (Arabic) embeds a font in its own renderer.
 */

/** A4 in PDF points (1/72 inch): 210 × 297 mm. */
export const A4 = { width: 595.28, height: 841.89 } as const

/** Millimetres to points. */
export const mm = (v: number): number => (v * 72) / 25.4

export type PdfFont = 'Helvetica' | 'Helvetica-Bold' | 'Courier'

/** One page's drawing operations, in points from the bottom-left corner. */
export class PdfPage {
  readonly ops: string[] = []

  /** Writes `text` with its baseline starting at (x, y). */
  text(x: number, y: number, text: string, o: { size?: number; font?: PdfFont } = {}): this {
    const font = FONT_NAMES[o.font ?? 'Helvetica']
    this.ops.push(`BT /${font} ${n(o.size ?? 10)} Tf ${n(x)} ${n(y)} Td (${escape(text)}) Tj ET`)
    return this
  }

  /** A filled (default) or stroked rectangle. */
  rect(
    x: number,
    y: number,
    w: number,
    h: number,
    o: { stroke?: boolean; width?: number } = {},
  ): this {
    if (o.stroke) this.ops.push(`${n(o.width ?? 0.5)} w ${n(x)} ${n(y)} ${n(w)} ${n(h)} re S`)
    else this.ops.push(`${n(x)} ${n(y)} ${n(w)} ${n(h)} re f`)
    return this
  }
}

const FONT_NAMES: Record<PdfFont, string> = {
  Helvetica: 'F1',
  'Helvetica-Bold': 'F2',
  Courier: 'F3',
}

function n(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2)
}

/** WinAnsi text for a PDF string literal: Latin-1 printable characters kept, others `?`. */
function escape(s: string): string {
  let out = ''
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    const ok = (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff)
    const v = ok ? ch : '?'
    out += v === '\\' || v === '(' || v === ')' ? `\\${v}` : v
  }
  return out
}

/**
 * Builds the PDF file of `pages`.
 *
 * @example
 * ```ts
 * const page = new PdfPage().text(72, 760, 'Hello').rect(72, 700, 100, 20, { stroke: true })
 * const bytes = renderPdf([page], { title: 'Letter' })
 * ```
 */
export function renderPdf(pages: readonly PdfPage[], o: { title?: string } = {}): Uint8Array {
  // Objects: 1 catalog, 2 pages, 3-5 fonts, 6 info, then per page: page and content.
  const objects: string[] = []
  const kids = pages.map((_, i) => `${7 + 2 * i} 0 R`).join(' ')
  objects.push('<< /Type /Catalog /Pages 2 0 R >>')
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`)
  for (const base of ['Helvetica', 'Helvetica-Bold', 'Courier'])
    objects.push(`<< /Type /Font /Subtype /Type1 /BaseFont /${base} /Encoding /WinAnsiEncoding >>`)
  objects.push(`<< /Producer (Barid reference node) /Title (${escape(o.title ?? 'Letter')}) >>`)
  for (const [i, p] of pages.entries()) {
    const content = p.ops.join('\n')
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${n(A4.width)} ${n(A4.height)}] /Contents ${8 + 2 * i} 0 R ` +
        '/Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> >> >>',
    )
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`)
  }
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'
  const offsets: number[] = []
  objects.forEach((obj, i) => {
    offsets.push(out.length)
    out += `${i + 1} 0 obj\n${obj}\nendobj\n`
  })
  const xref = out.length
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  // Every character is one byte (escape() keeps Latin-1 only), so offsets are byte offsets.
  return Uint8Array.from(out, (ch) => ch.charCodeAt(0))
}

/** Pages in a PDF file, counted by its page objects (for bodies that are PDFs already). */
export function countPdfPages(pdf: Uint8Array): number {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1')
  return (text.match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length
}
