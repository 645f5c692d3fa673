/**
 * Regenerates spec/vectors/*.json from each area's generator. Run with `pnpm vectors` after a
 * deliberate format change; the vectors tests fail until the files match the code again.
 * Usage: tsx scripts/make-vectors.ts [area ...]
 */
import { existsSync, writeFileSync } from 'node:fs'
import { VECTORS_DIR } from '../test/vectors-file.js'

const areas = ['cbor', 'addresses', 'attachments', 'letter', 'evidence', 'certificates', 'transparency', 'trust-list']
const dirs: Record<string, string> = { addresses: 'address', attachments: 'attachment', certificates: 'x509', 'trust-list': 'trust' }
const wanted = process.argv.slice(2)

for (const area of wanted.length ? wanted : areas) {
  const file = new URL(`../src/${dirs[area] ?? area}/vectors.ts`, import.meta.url)
  if (!existsSync(file)) {
    console.error(`vectors: no generator for ${area} (${file.pathname})`)
    process.exitCode = 1
    continue
  }
  const mod = (await import(file.href)) as { makeVectors: () => Promise<unknown> }
  writeFileSync(`${VECTORS_DIR}${area}.json`, JSON.stringify(await mod.makeVectors(), null, 2) + '\n')
  console.log(`vectors: wrote spec/vectors/${area}.json`)
}
