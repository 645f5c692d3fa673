/**
 * @module main
 * `barid-node`: starts one node from an operator profile.
 *
 *   tsx src/main.ts --profile ../denmark [--config node.json]
 *
 * Environment variables override the config file (see config/config.ts and spec 15.1).
 * SIGINT and SIGTERM stop the node gracefully; SIGHUP reloads the node keys from the operator
 * directory (after `barid operator rotate-node`, spec 21.4).
 */
import { parseArgs } from 'node:util'
import { loadConfig } from './config/config.js'
import { isBaridError } from './core.js'
import { startNode, type RunningNode } from './node.js'

const { values } = parseArgs({
  options: {
    profile: { type: 'string' },
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  process.stdout.write(
    'usage: barid-node --profile <profile folder or profile.json> [--config <config.json>]\n',
  )
  process.exit(0)
}
let node: RunningNode
try {
  const config = await loadConfig({
    profile: values.profile,
    configFile: values.config,
    env: process.env,
  })
  node = await startNode(config)
} catch (e) {
  // A refusal to start (bad settings, a data directory of another operator, a port in use) is
  // the operator's to fix: one line, not a stack trace.
  const listen = e instanceof Error && 'syscall' in e && e.syscall === 'listen'
  if (!isBaridError(e) && !listen) throw e
  const code = (e as { code?: unknown }).code
  process.stderr.write(`barid-node: cannot start: ${(e as Error).message} (${String(code)})\n`)
  process.exit(1)
}
// Spec 21.4: after `barid operator rotate-node`, SIGHUP makes the node read its keys again.
process.on('SIGHUP', () => {
  void node.services.trust.reloadNodeKeys({ force: true }).catch(() => undefined)
})
let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1)
    stopping = true
    void node.stop().then(() => process.exit(0))
  })
}
