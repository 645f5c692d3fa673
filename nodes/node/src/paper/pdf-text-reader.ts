/**
 * @module paper/pdf-text-reader
 * Reads back what a print file written by {@link renderPdf} shows: its pages, each text object's
 * glyphs (CIDs) and, through the font's ToUnicode CMap (ISO 32000-1 9.10.3), their text. Not a
 * general PDF parser: it follows the cross-reference table and reads the constructs this writer
 * uses (bfchar mappings, TJ arrays of hex strings), to check print files in tests and operations.
 */
import { inflateSync } from 'node:zlib'
import { BaridError } from '../core.js'

/** One text object (BT … ET): where it starts, its glyphs left to right and their text. */
export interface PdfTextRun {
  font: string
  size: number
  x: number
  y: number
  cids: number[]
  /** The glyphs' ToUnicode text, in the order shown (visual order for RTL runs). */
  text: string
}

export interface PdfPageText {
  /** The decoded content stream. */
  content: string
  runs: PdfTextRun[]
}

export interface PdfFontInfo {
  baseFont: string
  /** CID to the text it stands for. */
  toUnicode: Map<number, string>
  /** Whether the font program is in the file (/FontFile2 in its descriptor). */
  embedded: boolean
}

export interface PdfText {
  pages: PdfPageText[]
  /** Fonts by resource name (`F1`, …), as the first page names them. */
  fonts: Map<string, PdfFontInfo>
}

const MAX_STREAM_BYTES = 64 * 1024 * 1024

function bad(message: string): BaridError {
  return new BaridError('ERR_INVALID_ARGUMENT', `not a print file: ${message}`)
}

/** Objects by number, as the cross-reference table locates them. */
function readObjects(pdf: Uint8Array): Map<number, { dict: string; stream?: Uint8Array }> {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1')
  const xref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)
  if (!xref) throw bad('no startxref')
  const table = text.slice(Number(xref[1])).split('\n')
  if (table[0] !== 'xref') throw bad('no cross-reference table')
  const count = Number(table[1]?.split(' ')[1] ?? 0)
  const objects = new Map<number, { dict: string; stream?: Uint8Array }>()
  for (let id = 1; id < count; id++) {
    const offset = Number(table[2 + id]?.slice(0, 10))
    const head = `${id} 0 obj\n`
    if (!text.startsWith(head, offset)) throw bad(`object ${id} is not where the table says`)
    const start = offset + head.length
    const s = text.indexOf('\nstream\n', start)
    const e = text.indexOf('\nendobj', start)
    if (e < 0) throw bad(`object ${id} has no end`)
    if (s < 0 || s > e) {
      objects.set(id, { dict: text.slice(start, e) })
      continue
    }
    const dict = text.slice(start, s)
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? NaN)
    if (!(length >= 0) || !text.startsWith('\nendstream\nendobj', s + 8 + length))
      throw bad(`object ${id} has a bad /Length`)
    let data: Uint8Array = pdf.subarray(s + 8, s + 8 + length)
    if (dict.includes('/FlateDecode'))
      data = inflateSync(data, { maxOutputLength: MAX_STREAM_BYTES })
    objects.set(id, { dict, stream: data })
  }
  return objects
}

const ref = (dict: string, key: string): number | undefined => {
  const m = new RegExp(`/${key} (\\d+) 0 R`).exec(dict)
  return m ? Number(m[1]) : undefined
}

/** A ToUnicode CMap's bfchar entries: `<cid> <utf-16be>`. */
function parseCMap(cmap: string): Map<number, string> {
  const map = new Map<number, string>()
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, cid, dst] of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>/g)) {
      const units = dst!.match(/.{4}/g) ?? []
      map.set(parseInt(cid!, 16), String.fromCharCode(...units.map((u) => parseInt(u, 16))))
    }
  }
  return map
}

/** The text objects of a content stream: Tf, Td and the CIDs of TJ/Tj hex strings. */
function parseContent(content: string, fonts: Map<string, PdfFontInfo>): PdfTextRun[] {
  const runs: PdfTextRun[] = []
  const token = /\/[^\s/<>[\]()]+|<[0-9A-Fa-f\s]*>|\[|\]|-?[\d.]+|[A-Za-z*'"]+/g
  const tokens = content.match(token) ?? []
  const operands: string[] = []
  let run: PdfTextRun | undefined
  for (const t of tokens) {
    if (!/^[A-Za-z*'"]+$/.test(t)) {
      operands.push(t)
      continue
    }
    if (t === 'BT') run = { font: '', size: 0, x: 0, y: 0, cids: [], text: '' }
    else if (t === 'Tf' && run) {
      run.font = operands[operands.length - 2]!.slice(1)
      run.size = Number(operands[operands.length - 1])
    } else if (t === 'Td' && run) {
      run.x += Number(operands[operands.length - 2])
      run.y += Number(operands[operands.length - 1])
    } else if ((t === 'TJ' || t === 'Tj') && run) {
      const map = fonts.get(run.font)?.toUnicode
      for (const op of operands.filter((o) => o.startsWith('<'))) {
        for (const h of op.replace(/[<>\s]/g, '').match(/.{4}/g) ?? []) {
          const cid = parseInt(h, 16)
          run.cids.push(cid)
          run.text += map?.get(cid) ?? '\ufffd'
        }
      }
    } else if (t === 'ET' && run) {
      runs.push(run)
      run = undefined
    }
    operands.length = 0
  }
  return runs
}

/**
 * The pages, text runs and fonts of a print file.
 *
 * @example
 * ```ts
 * const { pages } = readPdfText(renderPaperLetter(letter).pdf)
 * pages[0].runs.map((r) => r.text) // ['Karen Holm', 'Nørregade 1, 2. th.', …]
 * ```
 */
export function readPdfText(pdf: Uint8Array): PdfText {
  const objects = readObjects(pdf)
  const get = (id: number | undefined) => {
    const o = id === undefined ? undefined : objects.get(id)
    if (!o) throw bad(`object ${id} is missing`)
    return o
  }
  const trailer = Buffer.from(pdf.subarray(-400)).toString('latin1')
  const catalog = get(Number(/\/Root (\d+) 0 R/.exec(trailer)?.[1]))
  const tree = get(ref(catalog.dict, 'Pages'))
  const kids = [.../\/Kids \[([^\]]*)\]/.exec(tree.dict)![1]!.matchAll(/(\d+) 0 R/g)].map((m) =>
    Number(m[1]),
  )
  let fonts: Map<string, PdfFontInfo> | undefined
  const pages = kids.map((id) => {
    const page = get(id)
    const pageFonts = new Map<string, PdfFontInfo>()
    const res = /\/Font << ([^>]*) >>/.exec(page.dict)?.[1] ?? ''
    for (const [, name, fid] of res.matchAll(/\/(\w+) (\d+) 0 R/g)) {
      const font = get(Number(fid)).dict
      const cmap = ref(font, 'ToUnicode')
      const cid = get(Number(/\/DescendantFonts \[(\d+) 0 R\]/.exec(font)?.[1]))
      const descriptor = get(ref(cid.dict, 'FontDescriptor'))
      pageFonts.set(name!, {
        baseFont: /\/BaseFont \/(\S+)/.exec(font)?.[1] ?? '',
        toUnicode: cmap === undefined ? new Map() : parseCMap(decode(get(cmap).stream)),
        embedded: ref(descriptor.dict, 'FontFile2') !== undefined,
      })
    }
    fonts ??= pageFonts
    const content = decode(get(ref(page.dict, 'Contents')).stream)
    return { content, runs: parseContent(content, pageFonts) }
  })
  return { pages, fonts: fonts ?? new Map() }
}

function decode(bytes: Uint8Array | undefined): string {
  return bytes ? Buffer.from(bytes).toString('latin1') : ''
}
