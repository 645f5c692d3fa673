/**
 * @module main
 * `barid-node`: starts one node from an operator profile.
 *
 *   tsx src/main.ts --profile ../denmark [--config node.json]
 *
 * Environment variables override the config file (see config/config.ts and spec 15.1).
 * SIGINT and SIGTERM stop the node gracefully.
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
let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1)
    stopping = true
    void node.stop().then(() => process.exit(0))
  })
}
