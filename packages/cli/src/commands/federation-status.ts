/**
 * @module commands/federation-status
 * `barid federation suspend | withdraw | reinstate`: appends a status change, effective at a
 * given time, to an operator's history and issues the next trust list. Past entries are never
 * changed: they are what lets evidence signed before a withdrawal keep verifying.
 */
import { iso, optional, parseTime, required, type Command } from '../command.js'
import { BaridError, type OperatorEntry, type OperatorState, type StatusEntry } from '../core.js'
import { findOperator, loadFederation, nextContent, publishList } from '../federation-state.js'
import { resolvePath } from '../files.js'

function statusCommand(
  verb: 'suspend' | 'withdraw' | 'reinstate',
  state: OperatorState,
  summary: string,
  detail: string,
): Command {
  return {
    name: ['federation', verb],
    summary,
    help: `Usage: barid federation ${verb} --operator ID [--effective TIME] [--dir DIR]

${detail}

Options:
      --operator ID        The operator (required).
      --effective TIME     When the change takes effect (ISO 8601 or Unix seconds). Default: now.
                           An earlier time (e.g. a key compromise discovered late) makes
                           signatures from that time on invalid; it must be later than the
                           operator's last status change.
      --dir DIR            Federation directory. Default: .`,
    options: {
      operator: { type: 'string' },
      effective: { type: 'string' },
      dir: { type: 'string' },
    },
    async run(ctx, values) {
      const dir = resolvePath(ctx.cwd, optional(values, 'dir') ?? '.')
      const fed = await loadFederation(dir, ctx.now)
      const op = findOperator(fed.list, required(values, 'operator'))
      const effective =
        typeof values.effective === 'string' ? parseTime(values.effective, 'effective') : ctx.now
      // The history only grows, each entry a new state at a later time (spec 20.4).
      const last = op.status[op.status.length - 1] as StatusEntry
      const details = { operator: op.id, state: last.state, since: iso(last.from) }
      if (last.state === state)
        throw new BaridError(
          'ERR_GOVERNANCE_CONFLICT',
          `${op.id} is already ${state} (since ${iso(last.from)})`,
          { details },
        )
      if (effective <= last.from)
        throw new BaridError(
          'ERR_GOVERNANCE_CONFLICT',
          `--effective must be after the last status change of ${op.id} (${iso(last.from)})`,
          { details },
        )
      const entry: OperatorEntry = {
        ...op,
        status: [...op.status, { state, from: effective }],
      }
      const operators = fed.list.operators.map((o) => (o.id === op.id ? entry : o))
      const list = await publishList(fed, nextContent(fed, ctx.now, { operators }), ctx.now)
      if (ctx.json) {
        ctx.out(
          JSON.stringify({
            ok: true,
            operator: op.id,
            state,
            effective: iso(effective),
            sequence: list.sequence,
          }),
        )
        return
      }
      if (effective < ctx.now) ctx.err(`warning: the change is backdated to ${iso(effective)}`)
      ctx.out(`${op.id} is ${state} from ${iso(effective)}`)
      ctx.out(`  trust list sequence ${list.sequence}, next update ${iso(list.nextUpdate)}`)
    },
  }
}

export const federationSuspend = statusCommand(
  'suspend',
  'suspended',
  'Suspend an operator and issue a new trust list',
  'Suspends an operator: from --effective, nodes refuse its traffic and its new signatures.\nEvidence it signed before stays valid. Undo with barid federation reinstate.',
)
export const federationWithdraw = statusCommand(
  'withdraw',
  'withdrawn',
  'Withdraw an operator and issue a new trust list',
  'Withdraws an operator from the federation: from --effective, nodes refuse its traffic and\nits new signatures. It stays in the list so that evidence it signed before remains verifiable.',
)
export const federationReinstate = statusCommand(
  'reinstate',
  'active',
  'Reactivate a suspended or withdrawn operator and issue a new trust list',
  'Makes a suspended or withdrawn operator active again from --effective.',
)
