#!/usr/bin/env node
// Sums the per-package vitest JSON reports into the one line CI reads: "N passed, N failed".
// A package that crashes before writing a report fails `npm test` itself, which .ci/run checks.
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dir = join(root, '.vitest-reports')
let passed = 0
let failed = 0
let skipped = 0
for (const f of existsSync(dir) ? readdirSync(dir) : []) {
  if (!f.endsWith('.json')) continue
  const r = JSON.parse(readFileSync(join(dir, f), 'utf8'))
  passed += r.numPassedTests
  failed += r.numFailedTests
  skipped += r.numPendingTests + r.numTodoTests
  // A file that failed to load has no test results but is a failure all the same.
  for (const s of r.testResults ?? []) if (s.status === 'failed' && s.assertionResults.length === 0) failed++
}
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''))
process.exit(failed > 0 ? 1 : 0)
