/**
 * @module bench/lib/node-child
 * The child process of one benchmark node: receives its resolved config over IPC, starts the
 * node listening on loopback (real HTTP, its own SQLite file), answers `ready` with its URL, and
 * on `stop` drains and exits (so that a `--cpu-prof` profile is written).
 */
import type { NodeConfig } from '../../src/config/config.js'
import { startNode, type RunningNode } from '../../src/node.js'

type Message = { type: 'start'; config: NodeConfig } | { type: 'stop' }

let node: RunningNode | undefined

process.on('message', (m: Message) => {
  void (async () => {
    if (m.type === 'start') {
      node = await startNode(m.config, { listen: true })
      process.send?.({ type: 'ready', url: node.url })
    } else if (m.type === 'stop') {
      await node?.stop()
      process.send?.({ type: 'stopped' })
      process.exit(0)
    }
  })().catch((e: unknown) => {
    process.stderr.write(`bench node failed: ${String(e)}\n`)
    process.exit(1)
  })
})
process.on('disconnect', () => process.exit(0))
