/**
 * @module demo/listed-ports
 * A demo federation reused from an earlier run (`--data DIR`) names each node at the URL it had
 * then; a node sends to a peer only within the endpoints the trust list names (spec 20.3.3). So
 * each node asks first for the port its operator's endpoint names, and when that one is taken
 * now and the node listens elsewhere, the demo's governance issues the next list with the new
 * endpoint (`barid federation set-endpoints`) before the nodes start: they then reach each other,
 * never whatever holds the old port.
 */
import { barid } from '../trust/barid-cli.js'
import { endpointOf, type LocalFederation } from '../trust/local-federation.js'

/** The endpoints of each operator in the federation's current list, verified. */
export async function listedEndpoints(fed: LocalFederation): Promise<Map<string, string[]>> {
  const r = await barid([
    ...['trust-list', 'verify', fed.trustListFile],
    ...['--governance-key', fed.governanceKeyFile],
  ])
  const operators = r.operators as { id: string; endpoints: string[] }[]
  return new Map(operators.map((o) => [o.id, o.endpoints]))
}

/**
 * The port of the first loopback endpoint in `endpoints` (the demo's nodes listen on
 * 127.0.0.1), or undefined when there is none.
 *
 * @example
 * ```ts
 * listedPort(['http://127.0.0.1:41001/']) // 41001
 * ```
 */
export function listedPort(endpoints: readonly string[] | undefined): number | undefined {
  for (const e of endpoints ?? []) {
    const url = new URL(e)
    if (url.hostname === '127.0.0.1' && url.port !== '') return Number(url.port)
  }
  return undefined
}

/** A demo node whose URL the list did not name, and the list that names it now. */
export interface FollowedPort {
  operator: string
  endpoint: string
  sequence: number
}

/**
 * Issues the next list for each node of `nodes` whose URL is not among its operator's listed
 * endpoints, naming that URL as its endpoint; the nodes it moved, in order.
 *
 * @example
 * ```ts
 * const moved = await followPorts(fed, [{ operator: 'post.eg', url: 'http://127.0.0.1:41001' }])
 * ```
 */
export async function followPorts(
  fed: LocalFederation,
  nodes: readonly { operator: string; url: string }[],
  listed: ReadonlyMap<string, readonly string[]>,
): Promise<FollowedPort[]> {
  const moved: FollowedPort[] = []
  for (const n of nodes) {
    const endpoint = endpointOf(n.url)
    if (listed.get(n.operator)?.includes(endpoint)) continue
    const r = await fed.federation([
      ...['set-endpoints', '--operator', n.operator, '--endpoint', endpoint],
    ])
    moved.push({ operator: n.operator, endpoint, sequence: Number(r.sequence) })
  }
  return moved
}
