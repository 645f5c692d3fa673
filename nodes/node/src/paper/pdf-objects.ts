/**
 * @module paper/pdf-objects
 * The file structure of a PDF (ISO 32000-1 7.5): numbered indirect objects, streams (compressed
 * with FlateDecode, 7.4.4, when that makes them smaller), the cross-reference table with the byte
 * offset of every object, and the trailer. Dictionaries are written as text in the printable
 * ASCII range; stream data is binary.
 */
import { deflateSync } from 'node:zlib'
import { BaridError } from '../core.js'

const latin1 = (s: string): Uint8Array => Buffer.from(s, 'latin1')

/**
 * A number for a content stream or dictionary: at most two decimals.
 *
 * @example
 * ```ts
 * num(595.2756) // '595.28'
 * ```
 */
export function num(v: number): string {
  const r = Math.round(v * 100) / 100
  return r === 0 ? '0' : String(r)
}

/**
 * A PDF text string (7.9.2.2): UTF-16BE with a byte order mark, as a hex string, so any
 * Unicode text (an Arabic title) survives and nothing needs escaping.
 *
 * @example
 * ```ts
 * textString('Ø') // '<FEFF00D8>'
 * ```
 */
export function textString(s: string): string {
  let hex = 'FEFF'
  for (let i = 0; i < s.length; i++) hex += s.charCodeAt(i).toString(16).padStart(4, '0')
  return `<${hex.toUpperCase()}>`
}

/**
 * Objects of one PDF file, numbered from 1 in the order they are reserved.
 *
 * @example
 * ```ts
 * const objects = new PdfObjects()
 * const catalog = objects.reserve()
 * const pages = objects.add('<< /Type /Pages /Kids [] /Count 0 >>')
 * objects.set(catalog, `<< /Type /Catalog /Pages ${pages} 0 R >>`)
 * const file = objects.toBytes({ root: catalog })
 * ```
 */
export class PdfObjects {
  private readonly bodies: (Uint8Array[] | undefined)[] = []

  /** Reserves the next object number, to be filled with {@link set} or {@link setStream}. */
  reserve(): number {
    this.bodies.push(undefined)
    return this.bodies.length
  }

  /** Sets object `id` to a dictionary, array or other non-stream object, written as is. */
  set(id: number, body: string): number {
    this.bodies[id - 1] = [latin1(body)]
    return id
  }

  /** Adds an object and returns its number. */
  add(body: string): number {
    return this.set(this.reserve(), body)
  }

  /**
   * Sets object `id` to a stream of `data`, with `dict` the entries besides /Length and
   * /Filter (e.g. `/Length1 1234`); the data is deflated unless that does not make it smaller.
   */
  setStream(id: number, data: Uint8Array, dict = ''): number {
    const packed = deflateSync(data, { level: 6 })
    const flate = packed.length < data.length
    const bytes = flate ? new Uint8Array(packed.buffer, packed.byteOffset, packed.length) : data
    const filter = flate ? ' /Filter /FlateDecode' : ''
    const head = `<< /Length ${bytes.length}${filter}${dict ? ` ${dict}` : ''} >>\nstream\n`
    this.bodies[id - 1] = [latin1(head), bytes, latin1('\nendstream')]
    return id
  }

  /** Adds a stream object and returns its number. */
  addStream(data: Uint8Array | string, dict = ''): number {
    return this.setStream(this.reserve(), typeof data === 'string' ? latin1(data) : data, dict)
  }

  /** The file: header, objects, cross-reference table and trailer (7.5.2 to 7.5.5). */
  toBytes(o: { root: number; info?: number }): Uint8Array {
    // The binary comment line marks the file as binary for transfer programs (7.5.2).
    const chunks: Uint8Array[] = [latin1('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')]
    let offset = chunks[0]!.length
    const offsets: number[] = []
    this.bodies.forEach((body, i) => {
      if (!body) throw new BaridError('ERR_INTERNAL', `PDF object ${i + 1} was never written`)
      offsets.push(offset)
      const parts = [latin1(`${i + 1} 0 obj\n`), ...body, latin1('\nendobj\n')]
      for (const p of parts) {
        chunks.push(p)
        offset += p.length
      }
    })
    let tail = `xref\n0 ${offsets.length + 1}\n0000000000 65535 f \n`
    for (const off of offsets) tail += `${String(off).padStart(10, '0')} 00000 n \n`
    const info = o.info === undefined ? '' : ` /Info ${o.info} 0 R`
    tail += `trailer\n<< /Size ${offsets.length + 1} /Root ${o.root} 0 R${info} >>\n`
    tail += `startxref\n${offset}\n%%EOF\n`
    chunks.push(latin1(tail))
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
    let at = 0
    for (const c of chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  }
}
