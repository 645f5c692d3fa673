/**
 * @module paper/bidi-js
 * Types for `bidi-js` 1.0 (the Unicode Bidirectional Algorithm, UAX #9), which ships none: the
 * part of its API the print renderer uses.
 */
declare module 'bidi-js' {
  /** One paragraph of the input: inclusive code-unit indices and its resolved base level. */
  export interface BidiParagraph {
    start: number
    end: number
    level: number
  }

  /** Resolved embedding levels (UAX #9 3.3), one per UTF-16 code unit; odd levels are RTL. */
  export interface EmbeddingLevels {
    levels: Uint8Array
    paragraphs: BidiParagraph[]
  }

  export interface Bidi {
    getEmbeddingLevels(text: string, baseDirection?: 'ltr' | 'rtl'): EmbeddingLevels
    getReorderSegments(
      text: string,
      levels: EmbeddingLevels,
      start?: number,
      end?: number,
    ): [number, number][]
    getReorderedString(text: string, levels: EmbeddingLevels, start?: number, end?: number): string
    getReorderedIndices(
      text: string,
      levels: EmbeddingLevels,
      start?: number,
      end?: number,
    ): number[]
    getMirroredCharacter(char: string): string | null
    getBidiCharTypeName(char: string): string
  }

  /** The package's only export: a factory (so the code can be moved into a worker). */
  export default function bidiFactory(): Bidi
}
