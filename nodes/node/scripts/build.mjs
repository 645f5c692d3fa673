#!/usr/bin/env node
// Compiles the node and the workspace packages it runs on (@barid/core, @barid/cli) to
// JavaScript in each package's dist/, removing the previous build first so no module of a
// deleted source survives. Run the result with plain Node: `pnpm serve` (spec 15.1).
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = join(dirname(fileURLToPath(import.meta.url)), '..')
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
for (const dir of ['../../packages/core', '../../packages/cli', '.']) {
  const pkg = join(here, dir)
  const started = Date.now()
  rmSync(join(pkg, 'dist'), { recursive: true, force: true })
  const r = spawnSync(process.execPath, [tsc, '-p', join(pkg, 'tsconfig.build.json')], {
    stdio: 'inherit',
  })
  if (r.status !== 0) {
    console.error(`build: tsc failed in ${join(pkg)}`)
    process.exit(1)
  }
  console.log(`build: ${join(pkg, 'dist')} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
}
