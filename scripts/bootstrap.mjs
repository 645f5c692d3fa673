#!/usr/bin/env node
// Makes a fresh machine with only Node and npm ready to run the workspace: installs the pinned
// pnpm when it is missing, then the workspace's dependencies from the lockfile. Idempotent and
// quick when everything is already in place, so `npm start` and `npm test` can always call it.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const PNPM_VERSION = '12.4.2'
const root = join(dirname(fileURLToPath(import.meta.url)), '..')

function pnpmVersion() {
  const r = spawnSync('pnpm', ['--version'], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : null
}

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env })
  if (r.status !== 0) {
    console.error(`bootstrap: '${cmd} ${args.join(' ')}' failed with exit code ${r.status}`)
    process.exit(r.status ?? 1)
  }
}

if (pnpmVersion() !== PNPM_VERSION) {
  console.error(`bootstrap: installing pnpm ${PNPM_VERSION}`)
  run('npm', ['install', '--global', '--allow-scripts=pnpm', `pnpm@${PNPM_VERSION}`])
}

// better-sqlite3 builds from source here; point node-gyp at the local headers when present.
const env = { ...process.env }
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr'
const frozen = existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : []
run('pnpm', ['install', '--prefer-offline', ...frozen], env)
