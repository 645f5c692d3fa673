/**
 * @module bench/lib/http-floor
 * The transport floor of a paced run, measured in the same run: the same request bodies on the
 * same open-loop schedule and connections, POSTed to a bare HTTP server in its own process
 * (bare-server.ts) instead of a node. It is what a request costs on this machine before a node
 * does any work: CPU of the server and of the client (kernel time included: on a virtual
 * machine a loopback write also runs the receiving side's TCP work) and latency.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { cpuSeconds } from './cpu.js'
import { openLoopPosts } from './load.js'
import { summary } from './stats.js'

const CHILD = fileURLToPath(new URL('./bare-server.ts', import.meta.url))

export interface HttpFloor {
  requests: number
  /** CPU of the bare server a request, µs (undefined where /proc is not readable). */
  serverUs: number | undefined
  /** CPU of the client a request, µs. */
  clientUs: number | undefined
  /** Scheduled send to answer, ms. */
  p99Ms: number
  errors: number
}

/**
 * POSTs `bodies` (each carrying `perRequest` letters) at `rate` letters per second.
 *
 * @example
 * ```ts
 * const f = await httpFloor({ bodies, rate: 1000, perRequest: 1, connections: 64 })
 * ```
 */
export async function httpFloor(o: {
  bodies: readonly Buffer[]
  rate: number
  perRequest: number
  connections: number
}): Promise<HttpFloor> {
  const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: 'ignore' })
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port: number }) => resolve(m.port))
      child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)))
    })
    const server = () => cpuSeconds(child.pid)
    const client = () => cpuSeconds(process.pid)
    const s0 = server()
    const c0 = client()
    const r = await openLoopPosts({
      url: new URL(`http://127.0.0.1:${port}/v1/sender/letters`),
      headers: { authorization: 'Bearer bench', 'content-type': 'application/json' },
      bodies: o.bodies,
      rate: o.rate,
      perRequest: o.perRequest,
      letters: o.bodies.length * Math.max(1, o.perRequest),
      connections: o.connections,
    })
    const s1 = server()
    const c1 = client()
    const n = o.bodies.length
    const per = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined ? undefined : ((b - a) * 1e6) / n
    const waited: number[] = []
    const last = Math.max(1, o.perRequest)
    r.answeredAt.forEach((at, i) => {
      if (at > 0) waited.push(at - r.sched[Math.min(r.sched.length, (i + 1) * last) - 1]!)
    })
    let errors = 0
    for (const v of r.errors.values()) errors += v
    return {
      requests: n,
      serverUs: per(s0, s1),
      clientUs: per(c0, c1),
      p99Ms: summary(waited).p99,
      errors,
    }
  } finally {
    child.kill()
  }
}
