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
import { startNode } from './node.js'

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
const config = await loadConfig({
  profile: values.profile,
  configFile: values.config,
  env: process.env,
})
const node = await startNode(config)
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
