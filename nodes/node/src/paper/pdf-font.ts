/**
 * @module paper/pdf-font
 * Embeds a TrueType font in a PDF as a composite font (ISO 32000-1 9.7): a Type0 font with the
 * Identity-H encoding over a CIDFontType2 descendant whose CIDs are the glyph ids of a subset
 * holding only the glyphs the document shows (fontkit's TrueType subsetter), its widths (/W), the
 * subset program (/FontFile2, deflated), and a ToUnicode CMap (9.10.3) mapping each glyph back to
 * the characters it stands for, so the text can be searched, copied and read back.
 */
import { createHash } from 'node:crypto'
import { loadFont, type FontStyle, type LoadedFont } from './font.js'
import { num, type PdfObjects } from './pdf-objects.js'
import type { ShapedGlyph } from './shape-run.js'

/** fontkit's TTF subset; its published types get `includeGlyph` wrong (it returns the new id). */
interface SubsetWriter {
  includeGlyph(glyphId: number): number
  encode(): Uint8Array
}

/** UTF-16BE hex of code points, for a CMap destination string. */
function utf16Hex(codePoints: readonly number[]): string {
  return Array.from(String.fromCodePoint(...codePoints), (c) =>
    c.charCodeAt(0).toString(16).padStart(4, '0'),
  )
    .join('')
    .toUpperCase()
}

const hex4 = (v: number): string => v.toString(16).padStart(4, '0').toUpperCase()

/**
 * One font of one document: collects the glyphs shown, then writes the font objects.
 *
 * @example
 * ```ts
 * const font = new EmbeddedFont('regular')
 * const cids = layoutParagraph('Hej')[0].glyphs.map((g) => font.cid(g))
 * const ref = font.write(objects) // then `/F1 ${ref} 0 R` in a page's resources
 * ```
 */
export class EmbeddedFont {
  readonly font: LoadedFont
  private readonly subset: SubsetWriter
  /** Advance of each CID (subset glyph), in font units. */
  private readonly widths: number[] = []
  /** What each CID stands for: the code points of the first glyph shown with it. */
  private readonly unicode = new Map<number, readonly number[]>()

  constructor(readonly style: FontStyle) {
    this.font = loadFont(style, 'embed')
    this.subset = this.font.createSubset() as unknown as SubsetWriter
    this.widths[0] = this.font.getGlyph(0).advanceWidth // the subset's CID 0 is .notdef
  }

  /** The CID that shows `glyph` (its glyph id in the subset), adding it to the subset. */
  cid(glyph: ShapedGlyph): number {
    const cid = this.subset.includeGlyph(glyph.id)
    if (this.widths[cid] === undefined) this.widths[cid] = this.font.getGlyph(glyph.id).advanceWidth
    if (!this.unicode.has(cid) && glyph.codePoints.length > 0)
      this.unicode.set(cid, glyph.codePoints)
    return cid
  }

  /** Advance of `cid` in font units, as the /W array gives it. */
  width(cid: number): number {
    return this.widths[cid] ?? 0
  }

  /** Writes the font's five objects and returns the number of the Type0 font. */
  write(objects: PdfObjects): number {
    const f = this.font
    const k = 1000 / f.unitsPerEm
    // The subset tag (9.6.4): six capitals, from the glyph set, so equal input gives equal output.
    const digest = createHash('sha256').update(`${this.style}:${this.widths.length}:`)
    for (const [cid, cps] of this.unicode) digest.update(`${cid}=${cps.join(',')};`)
    const bytes = digest.digest().subarray(0, 6)
    const tag = Array.from(bytes, (b) => String.fromCharCode(65 + (b % 26)))
    const name = `${tag.join('')}+${f.postscriptName}`
    const program = this.subset.encode()
    const file = objects.addStream(program, `/Length1 ${program.length}`)
    const b = f.bbox
    // DejaVu's OS/2 table predates sCapHeight: the height of 'H' is the cap height.
    const capHeight = f.capHeight || f.glyphForCodePoint(0x48).bbox.maxY
    const descriptor = objects.add(
      `<< /Type /FontDescriptor /FontName /${name} /Flags 4 ` +
        `/FontBBox [${[b.minX, b.minY, b.maxX, b.maxY].map((v) => Math.round(v * k)).join(' ')}] ` +
        `/ItalicAngle ${num(f.italicAngle)} /Ascent ${Math.round(f.ascent * k)} ` +
        `/Descent ${Math.round(f.descent * k)} /CapHeight ${Math.round(capHeight * k)} ` +
        `/StemV 80 /FontFile2 ${file} 0 R >>`,
    )
    const widths = Array.from(this.widths, (w) => Math.round((w ?? 0) * k)).join(' ')
    const cidFont = objects.add(
      `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${name} ` +
        '/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> ' +
        `/FontDescriptor ${descriptor} 0 R /W [0 [${widths}]] /CIDToGIDMap /Identity >>`,
    )
    const toUnicode = objects.addStream(this.toUnicodeCMap())
    return objects.add(
      `<< /Type /Font /Subtype /Type0 /BaseFont /${name} /Encoding /Identity-H ` +
        `/DescendantFonts [${cidFont} 0 R] /ToUnicode ${toUnicode} 0 R >>`,
    )
  }

  /** The ToUnicode CMap (9.10.3; Adobe technical note 5411): CID to UTF-16BE, 100 per block. */
  private toUnicodeCMap(): string {
    const entries = [...this.unicode].sort((x, y) => x[0] - y[0])
    const blocks: string[] = []
    for (let i = 0; i < entries.length; i += 100) {
      const chunk = entries.slice(i, i + 100)
      blocks.push(
        `${chunk.length} beginbfchar\n` +
          chunk.map(([cid, cps]) => `<${hex4(cid)}> <${utf16Hex(cps)}>`).join('\n') +
          '\nendbfchar',
      )
    }
    return [
      '/CIDInit /ProcSet findresource begin',
      '12 dict begin',
      'begincmap',
      '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
      '/CMapName /Adobe-Identity-UCS def',
      '/CMapType 2 def',
      '1 begincodespacerange',
      '<0000> <FFFF>',
      'endcodespacerange',
      ...blocks,
      'endcmap',
      'CMapName currentdict /CMap defineresource pop',
      'end',
      'end',
    ].join('\n')
  }
}
