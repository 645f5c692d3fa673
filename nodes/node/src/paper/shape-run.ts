/**
 * @module paper/shape-run
 * Shapes one directional run of text with fontkit (OpenType GSUB/GPOS: Arabic contextual forms
 * and lam-alef ligatures, Latin kerning and ligatures, mark positioning) and maps the glyphs back
 * to the characters they came from, as clusters, so lines can be cut between clusters without
 * shaping the text again. Words are shaped one by one and the short ones kept in a bounded cache
 * (a letter repeats its words, and shaping is most of the cost of rendering one), which its
 * caller empties when the letter is done: plaintext must not outlive the print job (spec 17.6).
 */
import type { LoadedFont } from './font.js'

/** One positioned glyph, in font units; `codePoints` are what it stands for (for ToUnicode). */
export interface ShapedGlyph {
  id: number
  codePoints: readonly number[]
  xAdvance: number
  xOffset: number
  yOffset: number
}

/**
 * The glyphs of the characters `[start, end)` of the text, in logical order. Clusters tile the
 * run: each starts where the one before ends.
 */
export interface Cluster {
  start: number
  end: number
  glyphs: ShapedGlyph[]
  /** Sum of the glyphs' advances, in font units. */
  advance: number
}

/**
 * Shapes `text.slice(start, end)`, one run of one direction (a UAX #9 level run): for RTL, each
 * character that has a mirrored form (BidiMirroring.txt, rule L4) is replaced by it first. Bidi
 * controls are left out of shaping; joiners are shaped (they decide joining) but draw nothing.
 * Returns clusters in logical order; when the shaper's glyphs cannot be mapped back to
 * characters (their code points do not add up), the run is one cluster.
 *
 * @example
 * ```ts
 * const clusters = shapeRun(font, 'مرحبا', 0, 5, { rtl: true, mirror: (c) => c })
 * ```
 */
export function shapeRun(
  font: LoadedFont,
  text: string,
  start: number,
  end: number,
  o: { rtl: boolean; mirror: (ch: string) => string },
): Cluster[] {
  let input = ''
  const source: number[] = [] // index in `text` of each code unit of `input`
  for (let i = start; i < end; ) {
    const cp = text.codePointAt(i)!
    const ch = cp > 0xffff ? text.slice(i, i + 2) : text[i]!
    if (!isBidiControl(cp)) {
      const shown = o.rtl ? o.mirror(ch) : ch
      input += shown
      for (let k = 0; k < shown.length; k++) source.push(i)
    }
    i += ch.length
  }
  if (input === '') return [{ start, end, glyphs: [], advance: 0 }]
  // Words and the spaces between them are shaped apart (nothing joins, ligates or kerns across
  // a space in these fonts), which lets the glyphs of a word be reused.
  const glyphs: ShapedGlyph[] = []
  for (const word of input.match(WORDS)!)
    for (const g of shapeWord(font, word, o.rtl)) glyphs.push(g)
  const clusters: Cluster[] = []
  let unit = 0
  for (const g of glyphs) {
    const units = g.codePoints.reduce((n, cp) => n + (cp > 0xffff ? 2 : 1), 0)
    const last = clusters[clusters.length - 1]
    if (units === 0 && last) {
      // A glyph the shaper added (a multiple substitution's tail) belongs to the one before it.
      last.glyphs.push(g)
      last.advance += g.xAdvance
      continue
    }
    const at = source[unit]
    if (at === undefined) return wholeRun(glyphs, start, end)
    // A joiner's glyph (fontkit shows it as a zero-width space) is not drawn.
    const c = text.charCodeAt(at)
    const joiner = c === 0x200c || c === 0x200d
    clusters.push({ start: at, end, glyphs: joiner ? [] : [g], advance: joiner ? 0 : g.xAdvance })
    unit += units
  }
  if (unit !== input.length || clusters.length === 0) return wholeRun(glyphs, start, end)
  clusters[0]!.start = start
  for (let k = 0; k + 1 < clusters.length; k++) clusters[k]!.end = clusters[k + 1]!.start
  return clusters
}

const WORDS = /\s+|[^\s]+/g

/** Explicit bidi formatting characters (as `BIDI_CONTROL` in font.ts), by code point. */
function isBidiControl(cp: number): boolean {
  return (
    cp === 0x061c ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069)
  )
}

/** Shaped words, most recently used last. */
const words = new Map<string, readonly ShapedGlyph[]>()
const fontIds = new Map<LoadedFont, number>() // a handful of fonts, loaded once each
const MAX_CACHED_WORDS = 20_000
const MAX_CACHED_WORD_UNITS = 64

/**
 * Forgets every shaped word, so no text of a letter stays in memory once it is rendered.
 *
 * @example
 * ```ts
 * try { render(letter) } finally { forgetShapedWords() }
 * ```
 */
export function forgetShapedWords(): void {
  words.clear()
}

/**
 * How many shaped words are kept (for tests and metrics).
 *
 * @example
 * ```ts
 * forgetShapedWords()
 * shapedWordsKept() // 0
 * ```
 */
export function shapedWordsKept(): number {
  return words.size
}

/** The glyphs of one word (or run of spaces), in logical order. */
function shapeWord(font: LoadedFont, word: string, rtl: boolean): readonly ShapedGlyph[] {
  let id = fontIds.get(font)
  if (id === undefined) fontIds.set(font, (id = fontIds.size))
  const key = `${id}${rtl ? 'r' : 'l'}${word}`
  const hit = words.get(key)
  if (hit) {
    words.delete(key)
    words.set(key, hit)
    return hit
  }
  const run = font.layout(word, undefined, undefined, undefined, rtl ? 'rtl' : 'ltr')
  const glyphs: ShapedGlyph[] = run.glyphs.map((g, k) => ({
    id: g.id,
    codePoints: [...g.codePoints],
    xAdvance: run.positions[k]!.xAdvance,
    xOffset: run.positions[k]!.xOffset,
    yOffset: run.positions[k]!.yOffset,
  }))
  // fontkit returns an RTL run in visual order; words are kept in logical order.
  if (rtl) glyphs.reverse()
  attribute(glyphs, word)
  // A ligature of an RTL run (lam-alef) stands for its characters in visual order, like the
  // glyphs around it: readers reverse RTL text back to logical order, the ligature included.
  if (rtl)
    for (const g of glyphs) if (g.codePoints.length > 1) g.codePoints = [...g.codePoints].reverse()
  if (word.length > MAX_CACHED_WORD_UNITS) return glyphs
  if (words.size >= MAX_CACHED_WORDS) words.delete(words.keys().next().value!)
  words.set(key, glyphs)
  return glyphs
}

/**
 * Makes the glyphs' code points those of `word`, in order. fontkit reports the code points a glyph
 * object was first made with, which another text may have set; when they do not spell the word,
 * glyphs are given one character each when the counts allow, else the first glyph the whole word.
 */
function attribute(glyphs: ShapedGlyph[], word: string): void {
  const cps = Array.from(word, (c) => c.codePointAt(0)!)
  let k = 0
  const spelled = glyphs.every((g) => g.codePoints.every((cp) => cps[k++] === cp))
  if (spelled && k === cps.length) return
  glyphs.forEach((g, i) => {
    if (glyphs.length === cps.length) g.codePoints = [cps[i]!]
    else g.codePoints = i === 0 ? cps : []
  })
}

function wholeRun(glyphs: ShapedGlyph[], start: number, end: number): Cluster[] {
  return [{ start, end, glyphs, advance: glyphs.reduce((n, g) => n + g.xAdvance, 0) }]
}
