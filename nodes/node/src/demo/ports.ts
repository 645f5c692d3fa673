/**
 * @module demo/ports
 * The demo's ports: each node on its profile's port (7401 Egypt Post, 7402 Digital Post) when
 * that is free, else on one the system gives. A node already running from a profile's
 * `start.sh` holds its port; the demo then still runs, and says where its nodes went, so that
 * nobody sends to the node on 7401 believing it is the demo's.
 */
import { createServer } from 'node:net'
import { BaridError } from '../core.js'

/** The port a demo node asked for and the one it got. */
export interface DemoPort {
  preferred: number
  port: number
}

const tryListen = (port: number): Promise<number | undefined> =>
  new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(undefined))
    s.listen(port, '127.0.0.1', () => {
      const got = (s.address() as { port: number }).port
      s.close(() => resolve(got))
    })
  })

/**
 * `preferred` if it is free on loopback, else a free port the system picks.
 *
 * @example
 * ```ts
 * const { port } = await demoPort(7401)
 * ```
 */
export async function demoPort(preferred: number): Promise<DemoPort> {
  const port = (await tryListen(preferred)) ?? (await tryListen(0))
  if (port === undefined) throw new BaridError('ERR_UNAVAILABLE', 'no free port on 127.0.0.1')
  return { preferred, port }
}

/**
 * The line that says which profile ports were taken and where each node went instead, or
 * undefined when every node has its profile's port.
 *
 * @example
 * ```ts
 * movedPortsLine([{ operator: 'post.eg', preferred: 7401, port: 41001 }])
 * // 'port 7401 is taken: post.eg listens on 41001 instead of 7401'
 * ```
 */
export function movedPortsLine(
  nodes: readonly (DemoPort & { operator: string })[],
): string | undefined {
  const moved = nodes.filter((n) => n.port !== n.preferred)
  if (moved.length === 0) return undefined
  const ports = moved.map((n) => n.preferred)
  const which =
    ports.length === 1
      ? `port ${ports[0]} is`
      : `ports ${ports.slice(0, -1).join(', ')} and ${ports.at(-1)} are`
  const where = moved.map(
    (n, i) => `${n.operator}${i === 0 ? ' listens' : ''} on ${n.port} instead of ${n.preferred}`,
  )
  return `${which} taken: ${where.join(', ')}`
}
