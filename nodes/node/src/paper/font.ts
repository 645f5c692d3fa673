/**
 * @module paper/font
 * The fonts the print renderer embeds: DejaVu Sans and DejaVu Sans Bold (TrueType outlines), from
 * the `dejavu-fonts-ttf` package. They cover Latin (Danish æ, ø, å included) and Arabic with its
 * contextual forms and lam-alef ligatures, the scripts of the reference deployments. The files are
 * resolved through the module resolver, never from the system fonts, so every machine renders a
 * letter the same way.
 */
import { createRequire } from 'node:module'
import * as fontkit from 'fontkit'
import { BaridError } from '../core.js'

/** The two faces the renderer uses. */
export type FontStyle = 'regular' | 'bold'

/** A loaded font: fontkit's view of one TrueType face. */
export type LoadedFont = fontkit.Font

const FILES: Record<FontStyle, string> = {
  regular: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  bold: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
}

const require = createRequire(import.meta.url)
const loaded = new Map<string, LoadedFont>()

/**
 * The font of `style`, parsed once per process (fontkit reads its tables lazily). fontkit keeps
 * one glyph object per glyph id with the code points of its first use, and its shaper reads them
 * (Arabic joining types): the subsetter and metrics lookups create glyphs with none. So text is
 * shaped with the `layout` instance and fonts are embedded from a separate `embed` instance.
 *
 * @example
 * ```ts
 * const font = loadFont('regular')
 * font.hasGlyphForCodePoint(0x0645) // true: Arabic meem
 * ```
 */
export function loadFont(style: FontStyle, use: 'layout' | 'embed' = 'layout'): LoadedFont {
  const key = `${style}:${use}`
  const cached = loaded.get(key)
  if (cached) return cached
  let font: fontkit.Font | fontkit.FontCollection
  try {
    font = fontkit.openSync(require.resolve(FILES[style]))
  } catch (e) {
    throw new BaridError('ERR_INTERNAL', `the print font ${FILES[style]} cannot be loaded`, {
      cause: e,
    })
  }
  if (!('layout' in font)) throw new BaridError('ERR_INTERNAL', 'the print font is a collection')
  loaded.set(key, font)
  return font
}

/** U+FFFD, printed for a character the font has no glyph for (a visible mark, not a silent gap). */
export const REPLACEMENT = '\ufffd'

/** Explicit bidi formatting characters (UAX #9 2.1 to 2.6, ALM): used by bidi, never drawn. */
export const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

/** Zero-width (non-)joiners: invisible, but they decide Arabic joining, so the shaper sees them. */
export const JOINER = /[\u200c\u200d]/

const CONTROL = /\p{Cc}/u
/** Presentation forms (Arabic contextual forms, Latin and Hebrew ligatures), typed as such. */
const PRESENTATION = /[\ufb00-\ufb4f\ufb50-\ufdff\ufe70-\ufefe]/u
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u

/**
 * One line of text made printable with `font`: normalised to NFC (so `å` written as `a` and a
 * combining ring uses the precomposed glyph), presentation forms (U+FB00 to U+FEFE) to NFKC (the
 * letters they show), tabs as four spaces, other control characters
 * dropped, bidi controls and joiners kept, other invisible characters the font lacks dropped, and
 * every remaining character the font has no glyph for replaced by U+FFFD.
 *
 * @example
 * ```ts
 * printableText('Nørre\u0007gade 一', loadFont('regular')) // 'Nørregade \ufffd'
 * ```
 */
export function printableText(text: string, font: LoadedFont): string {
  let out = ''
  for (const ch of text.normalize('NFC')) {
    const cp = ch.codePointAt(0)!
    // The shaper makes presentation forms from the letters; given as such, they are the letters
    // (not the few that stand for whole phrases, so that text cannot grow much here).
    const letters = PRESENTATION.test(ch) ? ch.normalize('NFKC') : ch
    if (letters !== ch && letters.length <= 4 && !PRESENTATION.test(letters))
      out += printableText(letters, font)
    else if (ch === '\t') out += '    '
    else if (CONTROL.test(ch)) continue
    else if (BIDI_CONTROL.test(ch) || JOINER.test(ch) || font.hasGlyphForCodePoint(cp)) out += ch
    else if (IGNORABLE.test(ch)) continue
    else out += REPLACEMENT
  }
  return out
}
