/**
 * Runs every benchmark in this folder, one process each so that one's memory does not skew
 * another's RSS figures. Arguments after `--` are passed to each (e.g. `--size 256MiB`).
 * Benchmarks print their figures beside a baseline measured in the same run; they are not tests.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('.', import.meta.url))
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'))
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort()

let failed = 0
for (const f of files) {
  console.log(`\n== ${f}`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${f}`, ...passThrough], { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
process.exit(failed ? 1 : 0)
