/**
 * @module paper/pdf-document
 * A small PDF writer (ISO 32000-1) for print files: A4 pages of text and filled or stroked
 * rectangles. Text is laid out by {@link layoutParagraph} (Unicode bidi, OpenType shaping) and
 * shown in an embedded subset of DejaVu Sans (composite font, Identity-H, with a ToUnicode map),
 * so Arabic, Danish and English letters print as written, on any machine, and their text can be
 * searched and read back. Enough for a cover page with an address window and a QR code, and for
 * text bodies, without a PDF library.
 */
import { BaridError } from '../core.js'
import { layoutParagraph, type Direction, type ShapedGlyph, type ShapedLine } from './bidi-text.js'
import type { FontStyle } from './font.js'
import { EmbeddedFont } from './pdf-font.js'
import { num, PdfObjects, textString } from './pdf-objects.js'

/** A4 in PDF points (1/72 inch): 210 × 297 mm. */
export const A4 = { width: 595.28, height: 841.89 } as const

/** Millimetres to points. */
export const mm = (v: number): number => (v * 72) / 25.4

/** The embedded faces: DejaVu Sans and DejaVu Sans Bold. */
export type PdfFont = FontStyle

/** Longest text {@link PdfPage.text} or {@link PdfPage.paragraph} takes, in UTF-16 units. */
export const MAX_TEXT_UNITS = 100_000

/** Most pages in one file. */
export const MAX_PDF_PAGES = 1000

/** One drawing operation of a page: a path (in content-stream syntax) or a line of glyphs. */
export type PageOp =
  | { kind: 'path'; ops: string }
  | {
      kind: 'text'
      font: PdfFont
      size: number
      x: number
      y: number
      glyphs: readonly ShapedGlyph[]
    }

export interface TextOptions {
  /** Font size in points; default 10. */
  size?: number
  /** The face for `text` and `paragraph` (a line laid out already keeps its own). */
  font?: PdfFont
  /** Width of the box the text sits in, from `x`; a longer line is cut with an ellipsis. */
  width?: number
  /** Where in the box: `start` (default) is the left for LTR text and the right for RTL text. */
  align?: 'start' | 'end' | 'left' | 'right' | 'center'
  /** Base direction; `auto` (default) by the first strong character, else `fallback` (LTR). */
  direction?: Direction | 'auto'
  fallback?: Direction
}

export interface ParagraphOptions extends TextOptions {
  width: number
  /** Distance between baselines, in points; default 1.3 × size. */
  leading?: number
  maxLines?: number
}

function tooLarge(what: string, limit: number, value: number): BaridError {
  return new BaridError('ERR_INPUT_TOO_LARGE', `${what} exceeds the print limit`, {
    details: { limit, value },
  })
}

/** Coordinates and sizes are finite numbers: NaN would make the content stream invalid. */
function finite(...values: number[]): void {
  if (!values.every(Number.isFinite))
    throw new BaridError('ERR_INVALID_ARGUMENT', 'a position or size is not a finite number')
}

/** One page's drawing operations, in points from the bottom-left corner. */
export class PdfPage {
  readonly ops: PageOp[] = []

  /** Writes one line of `text` (a longer one is cut to `o.width`) with its baseline at `y`. */
  text(x: number, y: number, text: string, o: TextOptions = {}): this {
    if (text.length > MAX_TEXT_UNITS) throw tooLarge('a text line', MAX_TEXT_UNITS, text.length)
    const [line] = layoutParagraph(text, { ...o, style: o.font ?? 'regular', maxLines: 1 })
    return this.line(x, y, line!, o)
  }

  /**
   * Writes `text` as a paragraph wrapped to `o.width`, first baseline at `y`; returns the
   * baseline below its last line.
   */
  paragraph(x: number, y: number, text: string, o: ParagraphOptions): number {
    if (text.length > MAX_TEXT_UNITS) throw tooLarge('a paragraph', MAX_TEXT_UNITS, text.length)
    const size = o.size ?? 10
    const leading = o.leading ?? size * 1.3
    for (const line of layoutParagraph(text, { ...o, style: o.font ?? 'regular', size })) {
      this.line(x, y, line, o)
      y -= leading
    }
    return y
  }

  /** Draws a line laid out already (in its own face), aligned in the box `[x, x + o.width]`. */
  line(x: number, y: number, line: ShapedLine, o: TextOptions = {}): this {
    finite(x, y, o.size ?? 10, o.width ?? 0)
    const size = o.size ?? 10
    const width = (line.width * size) / line.unitsPerEm
    const align = o.align ?? 'start'
    const right =
      align === 'right' ||
      (align === 'start' && line.direction === 'rtl') ||
      (align === 'end' && line.direction === 'ltr')
    const room = o.width === undefined ? 0 : o.width - width
    const left = align === 'center' ? x + room / 2 : right ? x + room : x
    if (line.glyphs.length > 0)
      this.ops.push({
        kind: 'text',
        font: line.style,
        size,
        x: left,
        y,
        glyphs: line.glyphs,
      })
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
    finite(x, y, w, h, o.width ?? 0)
    const box = `${num(x)} ${num(y)} ${num(w)} ${num(h)} re`
    const ops = o.stroke ? `${num(o.width ?? 0.5)} w ${box} S` : `${box} f`
    this.ops.push({ kind: 'path', ops })
    return this
  }
}

const hex4 = (v: number): string => v.toString(16).padStart(4, '0').toUpperCase()

/**
 * A line of glyphs as text-showing operators (9.4.3): CIDs as hex strings in a TJ array, whose
 * numbers move each glyph from where the font's width puts it to where the shaper placed it
 * (kerning, mark offsets); a vertical mark offset is a text rise (Ts).
 */
function showText(op: Extract<PageOp, { kind: 'text' }>, font: EmbeddedFont, name: string): string {
  const upem = font.font.unitsPerEm
  const k = 1000 / upem
  const out = [`BT /${name} ${num(op.size)} Tf ${num(op.x)} ${num(op.y)} Td`]
  let array = ''
  let hex = ''
  let pen = 0 // where the shaper's pen is, in thousandths of an em
  let at = 0 // where the PDF text position is
  let rise = 0
  const endHex = () => {
    if (hex) array += `<${hex}>`
    hex = ''
  }
  const endArray = () => {
    endHex()
    if (array) out.push(`[${array}] TJ`)
    array = ''
  }
  for (const g of op.glyphs) {
    const cid = font.cid(g)
    const shift = Number(num(at - (pen + g.xOffset * k)))
    if (shift !== 0) {
      endHex()
      array += ` ${num(shift)} `
      at -= shift
    }
    const dy = Number(num((g.yOffset * op.size) / upem))
    if (dy !== rise) {
      endArray()
      out.push(`${num(dy)} Ts`)
      rise = dy
    }
    hex += hex4(cid)
    at += Math.round(font.width(cid) * k)
    pen += g.xAdvance * k
  }
  endArray()
  if (rise !== 0) out.push('0 Ts') // the text rise outlives ET (9.3.1)
  out.push('ET')
  return out.join('\n')
}

/**
 * Builds the PDF file of `pages`, embedding the glyphs they show.
 *
 * @example
 * ```ts
 * const page = new PdfPage().text(72, 760, 'مرحبا Hello').rect(72, 700, 100, 20, { stroke: true })
 * const bytes = renderPdf([page], { title: 'Letter' })
 * ```
 */
export function renderPdf(pages: readonly PdfPage[], o: { title?: string } = {}): Uint8Array {
  if (pages.length > MAX_PDF_PAGES) throw tooLarge('the page count', MAX_PDF_PAGES, pages.length)
  const objects = new PdfObjects()
  const catalog = objects.reserve()
  const tree = objects.reserve()
  const fonts = new Map<PdfFont, { font: EmbeddedFont; name: string }>()
  const fontFor = (style: PdfFont) => {
    let f = fonts.get(style)
    if (!f) fonts.set(style, (f = { font: new EmbeddedFont(style), name: `F${fonts.size + 1}` }))
    return f
  }
  const contents = pages.map((p) => {
    const ops = p.ops.map((op) => {
      if (op.kind === 'path') return op.ops
      const f = fontFor(op.font)
      return showText(op, f.font, f.name)
    })
    return objects.addStream(ops.join('\n'))
  })
  const fontRefs = [...fonts.values()].map((f) => `/${f.name} ${f.font.write(objects)} 0 R`)
  const resources = `/Resources << /Font << ${fontRefs.join(' ')} >> >>`
  const box = `/MediaBox [0 0 ${num(A4.width)} ${num(A4.height)}]`
  const kids = contents.map((content) =>
    objects.add(
      `<< /Type /Page /Parent ${tree} 0 R ${box} /Contents ${content} 0 R ${resources} >>`,
    ),
  )
  const refs = kids.map((id) => `${id} 0 R`).join(' ')
  objects.set(tree, `<< /Type /Pages /Kids [${refs}] /Count ${kids.length} >>`)
  objects.set(catalog, `<< /Type /Catalog /Pages ${tree} 0 R >>`)
  const info = objects.add(
    `<< /Producer (Barid reference node) /Title ${textString(o.title ?? 'Letter')} >>`,
  )
  return objects.toBytes({ root: catalog, info })
}

/** Pages in a PDF file, counted by its page objects (for bodies that are PDFs already). */
export function countPdfPages(pdf: Uint8Array): number {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1')
  return (text.match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length
}
