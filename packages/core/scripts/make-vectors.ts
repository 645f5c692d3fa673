/**
 * Regenerates spec/vectors/*.json from each area's generator. Run with `pnpm vectors` after a
 * deliberate format change; the vectors tests fail until the files match the code again.
 * Usage: tsx scripts/make-vectors.ts [area ...]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { VECTORS_DIR } from '../test/vectors-file.js'

const areas = ['cbor', 'addresses', 'attachments', 'letter', 'evidence', 'certificates', 'transparency', 'trust-list', 'evidence-bundle']
// Generator of each area, under src/: `<dir>/vectors.ts` unless named here.
const generators: Record<string, string> = {
  addresses: 'address/vectors.ts',
  attachments: 'attachment/vectors.ts',
  certificates: 'x509/vectors.ts',
  'trust-list': 'trust/vectors.ts',
  'evidence-bundle': 'trust/bundle-vectors.ts',
}
// Areas written in ASCII only, non-ASCII characters as \u escapes: their must-fail inputs are
// lookalike letters (U+212A KELVIN SIGN for `k`), which a reader must be able to see.
const asciiOnly = new Set(['addresses'])
const ascii = (json: string) =>
  json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
const wanted = process.argv.slice(2)

for (const area of wanted.length ? wanted : areas) {
  const file = new URL(`../src/${generators[area] ?? `${area}/vectors.ts`}`, import.meta.url)
  if (!existsSync(file)) {
    console.error(`vectors: no generator for ${area} (${file.pathname})`)
    process.exitCode = 1
    continue
  }
  const mod = (await import(file.href)) as {
    // Areas with ES256 structures reuse the committed signatures (cose/vectors-es256.ts).
    makeVectors: (committed?: unknown) => Promise<unknown>
    // Areas with randomised signatures keep the committed ones where nothing else changed.
    keepCommitted?: (made: unknown, committed: unknown) => number[]
  }
  const out = `${VECTORS_DIR}${area}.json`
  const committed: unknown = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : undefined
  const made = await mod.makeVectors(committed)
  if (mod.keepCommitted && committed !== undefined) mod.keepCommitted(made, committed)
  const json = JSON.stringify(made, null, 2)
  const text = (asciiOnly.has(area) ? ascii(json) : json) + '\n'
  const same = existsSync(out) && readFileSync(out, 'utf8') === text
  if (!same) writeFileSync(out, text)
  console.log(`vectors: ${same ? 'unchanged' : 'wrote'} spec/vectors/${area}.json`)
}
