/**
 * @module bench/lib/node-child
 * The child process of one benchmark node: receives its resolved config over IPC, starts the
 * node listening on loopback (real HTTP, its own SQLite file), answers `ready` with its URL, and
 * on `stop` drains and exits. With `profile-start` / `profile-stop` it records a CPU profile
 * (the V8 profiler that `node --cpu-prof` uses) of the timed part only, without start-up.
 */
import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import type { NodeConfig } from '../../src/config/config.js'
import { startNode, type RunningNode } from '../../src/node.js'

type Message =
  | { type: 'start'; config: NodeConfig }
  | { type: 'stop' }
  | { type: 'profile-start' }
  | { type: 'profile-stop'; file: string }

let node: RunningNode | undefined
let profiler: Session | undefined

async function handle(m: Message): Promise<void> {
  switch (m.type) {
    case 'start':
      node = await startNode(m.config, { listen: true })
      process.send?.({ type: 'ready', url: node.url })
      break
    case 'profile-start':
      profiler = new Session()
      profiler.connect()
      await profiler.post('Profiler.enable')
      await profiler.post('Profiler.start')
      process.send?.({ type: 'profiling' })
      break
    case 'profile-stop': {
      const r = await profiler?.post('Profiler.stop')
      if (r) await writeFile(m.file, JSON.stringify(r.profile))
      profiler?.disconnect()
      profiler = undefined
      process.send?.({ type: 'profiled' })
      break
    }
    case 'stop':
      await node?.stop()
      process.send?.({ type: 'stopped' })
      process.exit(0)
  }
}

process.on('message', (m: Message) => {
  handle(m).catch((e: unknown) => {
    process.stderr.write(`bench node failed: ${String(e)}\n`)
    process.exit(1)
  })
})
process.on('disconnect', () => process.exit(0))
