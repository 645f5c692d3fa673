/**
 * @module paper/bidi-text
 * Lays out a paragraph of mixed-direction text for print: the Unicode Bidirectional Algorithm
 * (UAX #9, via bidi-js) resolves each character's embedding level over the whole paragraph; each
 * level run is shaped once (shape-run); lines are broken at spaces by measured width (inside a
 * word only when the word alone is wider than the line); then each line's runs are put in visual
 * order (rule L2) and glyphs read left to right. An Arabic address with Latin digits thus reads
 * as it should, and an RTL paragraph is set against the right margin by its caller.
 */
import bidiFactory from 'bidi-js'
import { loadFont, printableText, type FontStyle, type LoadedFont } from './font.js'
import { shapeRun, type Cluster, type ShapedGlyph } from './shape-run.js'

export type { ShapedGlyph } from './shape-run.js'

/** A paragraph's base direction. */
export type Direction = 'ltr' | 'rtl'

/** One laid-out line: glyphs left to right, positions and width in font units. */
export interface ShapedLine {
  glyphs: readonly ShapedGlyph[]
  /** Advance width of the line, in font units (`unitsPerEm` to the em). */
  width: number
  unitsPerEm: number
  /** The face the glyph ids are of. */
  style: FontStyle
  /** The base direction of the paragraph the line belongs to. */
  direction: Direction
  /** The printable text of the line, in logical order. */
  text: string
}

export interface LayoutOptions {
  style?: FontStyle
  /** Font size in points (to convert `width`). Default 10. */
  size?: number
  /** Line width in points; without it, the paragraph is one line. */
  width?: number
  /**
   * Base direction; `auto` (default) takes the first strong character's (UAX #9 P2, P3), and
   * `fallback` when there is none.
   */
  direction?: Direction | 'auto'
  fallback?: Direction
  /** Most lines; the last one shown ends with an ellipsis when the text is longer. */
  maxLines?: number
}

/** Longest line in UTF-16 code units, whatever its width (zero-width marks have none). */
export const MAX_LINE_UNITS = 1000

const bidi = bidiFactory()
const ELLIPSIS = '\u2026'
const SPACE = /\s/

/**
 * The base direction of `text` by rules P2 and P3: the first strong character outside an
 * isolate, or `fallback`.
 *
 * @example
 * ```ts
 * baseDirection('123 مرحبا', 'ltr') // 'rtl'
 * ```
 */
export function baseDirection(text: string, fallback: Direction): Direction {
  let isolates = 0
  for (const ch of text) {
    const type = bidi.getBidiCharTypeName(ch)
    if (type === 'LRI' || type === 'RLI' || type === 'FSI') isolates++
    else if (type === 'PDI') isolates = Math.max(0, isolates - 1)
    else if (isolates === 0 && type === 'L') return 'ltr'
    else if (isolates === 0 && (type === 'R' || type === 'AL')) return 'rtl'
  }
  return fallback
}

const mirror = (ch: string): string => bidi.getMirroredCharacter(ch) ?? ch

/** A paragraph shaped once: its levels and, per level run, its clusters. */
interface Shaped {
  text: string
  style: FontStyle
  font: LoadedFont
  levels: Uint8Array
  base: Direction
  runs: { start: number; end: number; level: number; clusters: Cluster[] }[]
  /** Advance of each code unit (a cluster's on its first unit), in font units. */
  advance: Float64Array
}

function shapeParagraph(raw: string, o: LayoutOptions): Shaped {
  const style = o.style ?? 'regular'
  const font = loadFont(style)
  const text = printableText(raw.replace(/[\r\n\u2028\u2029]+/g, ' '), font)
  const auto = o.direction === undefined || o.direction === 'auto'
  const base = auto ? baseDirection(text, o.fallback ?? 'ltr') : (o.direction as Direction)
  const levels = text === '' ? new Uint8Array(0) : bidi.getEmbeddingLevels(text, base).levels
  const advance = new Float64Array(text.length)
  const runs: Shaped['runs'] = []
  for (let start = 0; start < text.length; ) {
    let end = start + 1
    while (end < text.length && levels[end] === levels[start]) end++
    // A surrogate pair's halves always share a level; never cut a run between them.
    if (end < text.length && /[\udc00-\udfff]/.test(text[end]!)) end++
    const level = levels[start]!
    const clusters = shapeRun(font, text, start, end, { rtl: level % 2 === 1, mirror })
    for (const c of clusters) advance[c.start] = (advance[c.start] ?? 0) + c.advance
    runs.push({ start, end, level, clusters })
    start = end
  }
  return { text, style, font, levels, base, runs, advance }
}

/** Line ranges `[start, end)` of the paragraph, trailing spaces left off, greedy by width. */
function breakLines(s: Shaped, maxWidth: number): [number, number][] {
  const { text, advance } = s
  const n = text.length
  const prefix = new Float64Array(n + 1)
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + advance[i]!
  const trimEnd = (a: number, b: number) => {
    while (b > a && SPACE.test(text[b - 1]!)) b--
    return b
  }
  const fits = (a: number, b: number) =>
    prefix[trimEnd(a, b)]! - prefix[a]! <= maxWidth && b - a <= MAX_LINE_UNITS
  const lines: [number, number][] = []
  let start = 0
  let lastBreak = -1
  for (let i = 1; i <= n; i++) {
    // A break opportunity: after a space and before a non-space, and at the end.
    if (i < n && !(SPACE.test(text[i - 1]!) && !SPACE.test(text[i]!))) continue
    while (!fits(start, i)) {
      if (lastBreak > start) {
        lines.push([start, trimEnd(start, lastBreak)])
        start = lastBreak
        continue
      }
      const cut = cutInside(s, prefix, start, i, maxWidth)
      lines.push([start, cut])
      start = cut
    }
    lastBreak = i
  }
  lines.push([start, trimEnd(start, n)])
  return lines
}

/**
 * Where to cut a word wider than the line: as late as fits, before a character that starts a
 * visible cluster when there is one (not before a mark), never inside a surrogate pair.
 */
function cutInside(
  s: Shaped,
  prefix: Float64Array,
  start: number,
  end: number,
  max: number,
): number {
  let best = start
  let any = start
  for (let i = start + 1; i < end && i - start <= MAX_LINE_UNITS; i++) {
    if (prefix[i]! - prefix[start]! > max) break
    const unit = s.text.charCodeAt(i)
    if (unit >= 0xdc00 && unit <= 0xdfff) continue
    any = i
    if (s.advance[i]! > 0 && !/\p{M}/u.test(s.text[i]!)) best = i
  }
  if (best > start) return best
  if (any > start) return any
  const unit = s.text.charCodeAt(start)
  return Math.min(unit >= 0xd800 && unit <= 0xdbff ? start + 2 : start + 1, end)
}

/** The glyphs of `[a, b)` of one run: its clusters when cut at their edges, else shaped again. */
function runGlyphs(s: Shaped, run: Shaped['runs'][number], a: number, b: number): ShapedGlyph[] {
  const rtl = run.level % 2 === 1
  const { clusters } = run
  // Clusters are sorted and tile the run: find the first at or after `a` by bisection.
  let lo = 0
  let hi = clusters.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (clusters[mid]!.start < a) lo = mid + 1
    else hi = mid
  }
  const glyphs: ShapedGlyph[] = []
  let at = a
  for (let k = lo; k < clusters.length && clusters[k]!.end <= b; k++) {
    if (clusters[k]!.start !== at) break
    for (const g of clusters[k]!.glyphs) glyphs.push(g)
    at = clusters[k]!.end
  }
  const shaped =
    at === b ? glyphs : shapeRun(s.font, s.text, a, b, { rtl, mirror }).flatMap((c) => c.glyphs)
  return rtl ? shaped.reverse() : shaped
}

/** Lays out the line `[a, b)` of a shaped paragraph: runs in visual order (UAX #9 L2). */
function lineOf(s: Shaped, a: number, b: number): ShapedLine {
  const pieces = s.runs
    .filter((r) => r.end > a && r.start < b)
    .map((r) => ({
      level: r.level,
      glyphs: runGlyphs(s, r, Math.max(a, r.start), Math.min(b, r.end)),
    }))
  // L1 needs nothing here: lines carry no trailing white space and tabs are spaces already.
  const levels = pieces.map((p) => p.level)
  const max = Math.max(0, ...levels)
  const minOdd = Math.min(...levels.map((l) => l | 1), Infinity)
  for (let level = max; level >= minOdd; level--) {
    for (let i = 0; i < pieces.length; i++) {
      if (pieces[i]!.level < level) continue
      let j = i
      while (j + 1 < pieces.length && pieces[j + 1]!.level >= level) j++
      pieces.splice(i, j - i + 1, ...pieces.slice(i, j + 1).reverse())
      i = j
    }
  }
  const glyphs = pieces.flatMap((p) => p.glyphs)
  return {
    glyphs,
    width: glyphs.reduce((n, g) => n + g.xAdvance, 0),
    unitsPerEm: s.font.unitsPerEm,
    style: s.style,
    direction: s.base,
    text: s.text.slice(a, b),
  }
}

/** `text` cut at its logical end to fit `maxWidth` font units with an ellipsis after it. */
function withEllipsis(s: Shaped, from: number, maxWidth: number, o: LayoutOptions): ShapedLine {
  const dots = shapeParagraph(ELLIPSIS, { ...o, direction: s.base }).advance[0] ?? 0
  let end = from
  let width = 0
  for (let i = from; i < s.text.length && i - from < MAX_LINE_UNITS; i++) {
    width += s.advance[i]!
    if (width + dots > maxWidth) break
    if (i + 1 >= s.text.length || s.advance[i + 1]! > 0) end = i + 1
  }
  const cut = s.text.slice(from, end).trimEnd() + ELLIPSIS
  return lineOf(shapeParagraph(cut, { ...o, direction: s.base }), 0, cut.length)
}

/**
 * Lays out one paragraph (line breaks inside it count as spaces) into lines of at most
 * `o.width` points, each in visual order, ready to draw from its left edge.
 *
 * @example
 * ```ts
 * const [line] = layoutParagraph('شارع 26 يوليو، رقم 15', { size: 11 })
 * line.direction // 'rtl': set it flush right
 * ```
 */
export function layoutParagraph(text: string, o: LayoutOptions = {}): ShapedLine[] {
  const s = shapeParagraph(text, o)
  const scale = s.font.unitsPerEm / (o.size ?? 10)
  const maxWidth = o.width === undefined ? Infinity : o.width * scale
  const ranges = breakLines(s, maxWidth)
  const maxLines = Math.max(1, o.maxLines ?? Infinity)
  if (ranges.length <= maxLines) return ranges.map(([a, b]) => lineOf(s, a, b))
  const kept = ranges.slice(0, maxLines - 1).map(([a, b]) => lineOf(s, a, b))
  return [...kept, withEllipsis(s, ranges[maxLines - 1]![0], maxWidth, o)]
}

/**
 * One line of `text` no wider than `o.width` points: cut with an ellipsis when it is wider.
 *
 * @example
 * ```ts
 * const line = fitLine('Karen Holm', { size: 11, width: mm(75) })
 * ```
 */
export function fitLine(text: string, o: LayoutOptions = {}): ShapedLine {
  return layoutParagraph(text, { ...o, maxLines: 1 })[0]!
}
