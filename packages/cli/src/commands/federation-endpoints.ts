/**
 * @module commands/federation-endpoints
 * `barid federation set-endpoints`: governance moves an operator's nodes (spec 20.3.3). A node
 * sends nothing for an operator outside the endpoints its trust list names (20.3.3), so an
 * operator whose nodes move to other URLs is reachable again only once a list names them.
 */
import { iso, many, optional, required, type Command } from '../command.js'
import { parseEndpoint } from '../core.js'
import { UsageError } from '../errors.js'
import { findOperator, loadFederation, nextContent, publishList } from '../federation-state.js'
import { resolvePath } from '../files.js'

/** Most endpoints an operator entry holds (spec 20.3.1). */
const MAX_ENDPOINTS = 8

export const federationSetEndpoints: Command = {
  name: ['federation', 'set-endpoints'],
  summary: "Replace an operator's endpoints (its nodes' base URLs) in a new trust list",
  help: `Usage: barid federation set-endpoints --operator ID --endpoint URL [--endpoint URL...]
                                [--dir DIR]

Issues the next trust list with the operator's endpoints replaced by the given ones, in that
order: nodes send an operator's letters only to URLs within its endpoints (spec 20.3.3), so
run it when an operator's nodes move. Endpoints the list already names in that order issue
nothing.

Options:
      --operator ID        The operator (required).
      --endpoint URL       Base URL of a node (https; http only on loopback), in canonical form
                           (e.g. https://barid.post.eg/). Repeatable, at most ${MAX_ENDPOINTS}.
      --dir DIR            Federation directory. Default: .`,
  options: {
    operator: { type: 'string' },
    endpoint: { type: 'string', multiple: true },
    dir: { type: 'string' },
  },
  async run(ctx, values) {
    const dir = resolvePath(ctx.cwd, optional(values, 'dir') ?? '.')
    // The command line is checked before any file is read: its mistakes are usage errors.
    const id = required(values, 'operator')
    const endpoints = many(values, 'endpoint')
    if (endpoints.length === 0) throw new UsageError('at least one --endpoint is required')
    if (endpoints.length > MAX_ENDPOINTS)
      throw new UsageError(`at most ${MAX_ENDPOINTS} --endpoint: an operator entry holds no more`)
    for (const e of endpoints) {
      try {
        parseEndpoint(e, 'ERR_INVALID_ARGUMENT')
      } catch (err) {
        throw new UsageError(
          `--endpoint ${e}: ${(err as Error).message} (e.g. https://barid.example/)`,
        )
      }
    }
    if (new Set(endpoints).size !== endpoints.length)
      throw new UsageError('--endpoint: each endpoint once')
    const state = await loadFederation(dir, ctx.now)
    const op = findOperator(state.list, id)
    const unchanged =
      op.endpoints.length === endpoints.length && op.endpoints.every((e, i) => e === endpoints[i])
    const list = unchanged
      ? state.list
      : await publishList(
          state,
          nextContent(state, ctx.now, {
            operators: state.list.operators.map((o) => (o.id === id ? { ...o, endpoints } : o)),
          }),
          ctx.now,
        )
    if (ctx.json) {
      ctx.out(
        JSON.stringify({
          ok: true,
          operator: id,
          endpoints,
          changed: !unchanged,
          sequence: list.sequence,
        }),
      )
      return
    }
    if (unchanged)
      ctx.out(`${id} has these endpoints already: trust list sequence ${list.sequence} stays`)
    else
      ctx.out(
        `Endpoints of ${id}: ${endpoints.join(', ')}; trust list sequence ${list.sequence}, next update ${iso(list.nextUpdate)}`,
      )
  },
}
