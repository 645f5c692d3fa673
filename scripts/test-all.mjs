#!/usr/bin/env node
// Runs every workspace package's tests, one package at a time, and goes on after a failure so
// one red package never hides another's results (`pnpm -r` skips the dependents of a failed
// package). Exits non-zero if any package failed. Usage: node scripts/test-all.mjs [dir ...]
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
// Foundations first, then what builds on them; the order only decides what you see first.
const order = ['packages/core', 'packages/cli', 'packages/client', 'nodes/node', 'examples', 'conformance']
// Any other workspace package (pnpm-workspace.yaml: packages/*, nodes/*) runs after these.
const others = ['packages', 'nodes'].flatMap((top) =>
  readdirSync(join(root, top)).map((d) => `${top}/${d}`).filter((d) => !order.includes(d)),
)
const dirs = process.argv.slice(2).length ? process.argv.slice(2) : [...order, ...others]
const failed = []
for (const dir of dirs) {
  const pkgFile = join(root, dir, 'package.json')
  if (!existsSync(pkgFile)) continue
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'))
  if (!pkg.scripts?.test) continue
  console.log(`\n=== ${pkg.name} (${dir})`)
  const started = Date.now()
  const r = spawnSync('pnpm', ['run', 'test'], { cwd: join(root, dir), stdio: 'inherit' })
  console.log(`=== ${pkg.name}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`)
  if (r.status !== 0) failed.push(pkg.name)
}
if (failed.length) {
  console.error(`\ntest-all: failed: ${failed.join(', ')}`)
  process.exit(1)
}
