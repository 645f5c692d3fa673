/**
 * @module commands/federation-reset-log
 * `barid federation reset-log`: the governance's declaration that an operator's transparency log
 * lost leaves (a node restored from a backup) and goes on as a new epoch from the tree it still
 * holds (spec/16 section 16.12). Signed with the governance key; the operator installs it on the
 * node through the admin API, and witnesses cosign the log again from there.
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { iso, optional, required, type Command } from '../command.js'
import {
  BaridError,
  fromBase64Url,
  fromHex,
  parseOperatorId,
  signLogReset,
  toBase64Url,
} from '../core.js'
import { UsageError } from '../errors.js'
import { findOperator, loadFederation } from '../federation-state.js'
import { resolvePath, writePublic } from '../files.js'

/** Where the governance keeps every reset it signed: `log-resets/<operator>-<epoch>.cose`. */
const RESETS_DIR = 'log-resets'

/** The highest epoch the governance already declared for `operator` (0 for none). */
async function declaredEpoch(federationDir: string, operator: string): Promise<number> {
  const names = await readdir(join(federationDir, RESETS_DIR)).catch(() => [] as string[])
  let max = 0
  for (const n of names) {
    const m = /^(.+)-(\d+)\.cose$/.exec(n)
    if (m && m[1] === operator) max = Math.max(max, Number(m[2]))
  }
  return max
}

function wholeNumber(value: string, option: string, min: number): number {
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min)
    throw new UsageError(`--${option} must be a whole number from ${min}`)
  return Number(value)
}

export const federationResetLog: Command = {
  name: ['federation', 'reset-log'],
  summary: "Declare that an operator's log goes on as a new epoch (after a restore)",
  help: `Usage: barid federation reset-log --operator ID --size N --root ROOT [--epoch N]
                                 [--reason TEXT] [--out FILE] [--dir DIR]

Signs a log reset (spec/16 section 16.12) with the governance key: the operator's transparency
log lost records it had logged (its node was restored from a backup, spec/15 section 15.8) and
goes on as epoch N from the tree of --size leaves with root --root, which the node still holds.
Take them from the restored node: its newest checkpoint (GET /v1/log/checkpoint: size) and the
root at that size (GET /v1/log/root?size=N, base64url, taken as it is). The federation directory
keeps every reset signed (log-resets/<operator>-<epoch>.cose): the epoch is the next after the
highest declared for the operator, and a lower one is refused (a node restored twice goes on as
a third epoch, never back to one its witnesses already hold). Sign only on the operator's
declaration, with the backup's time and log size. The operator installs the file on the node:
  curl -H "authorization: Bearer $(cat keys/admin-token)" -H 'content-type: application/cose' \\
    --data-binary @log-reset-OPERATOR-N.cose http://127.0.0.1:PORT/v1/admin/log/resets

Options:
      --operator ID        The operator whose log it is (required).
      --epoch N            The epoch the log goes on as. Default: the next after the highest
                           declared for the operator.
      --size N             Leaves of the restored tree (required).
      --root ROOT          Its root: 64 hex digits or 43 base64url characters (required).
      --reason TEXT        Why, for people (at most 256 characters).
      --out FILE           Where to write the signed reset.
                           Default: log-reset-<operator>-<epoch>.cose
      --dir DIR            Federation directory. Default: .`,
  options: {
    operator: { type: 'string' },
    epoch: { type: 'string' },
    size: { type: 'string' },
    root: { type: 'string' },
    reason: { type: 'string' },
    out: { type: 'string' },
    dir: { type: 'string' },
  },
  async run(ctx, values) {
    const state = await loadFederation(
      resolvePath(ctx.cwd, optional(values, 'dir') ?? '.'),
      ctx.now,
    )
    const operator = parseOperatorId(required(values, 'operator'))
    // Only a member's log can be reset: a typo must not produce a valid-looking statement.
    findOperator(state.list, operator)
    const declared = await declaredEpoch(state.dir, operator)
    const asked = optional(values, 'epoch')
    const epoch = asked === undefined ? declared + 1 : wholeNumber(asked, 'epoch', 1)
    if (epoch <= declared)
      throw new BaridError(
        'ERR_GOVERNANCE_CONFLICT',
        `epoch ${epoch} is not above ${declared}, already declared for ${operator} (${RESETS_DIR}/)`,
        { details: { log: operator, epoch, declared } },
      )
    const size = wholeNumber(required(values, 'size'), 'size', 0)
    const given = required(values, 'root')
    const root = /^[0-9a-fA-F]{64}$/.test(given)
      ? fromHex(given.toLowerCase())
      : /^[A-Za-z0-9_-]{43}$/.test(given)
        ? fromBase64Url(given)
        : undefined
    if (root === undefined || root.length !== 32)
      throw new UsageError('--root must be 64 hex digits or 43 base64url characters')
    const reason = optional(values, 'reason')
    const bytes = await signLogReset(
      {
        logId: operator,
        epoch,
        time: ctx.now,
        restored: { size, root },
        ...(reason === undefined ? {} : { reason }),
      },
      state.governance,
    )
    const file = optional(values, 'out') ?? `log-reset-${operator}-${epoch}.cose`
    const out = resolvePath(ctx.cwd, file)
    await writePublic(out, bytes)
    // The governance's own record: an epoch is declared once.
    await writePublic(join(state.dir, RESETS_DIR, `${operator}-${epoch}.cose`), bytes)
    if (ctx.json)
      ctx.out(
        JSON.stringify({
          ok: true,
          log: operator,
          epoch,
          size,
          time: iso(ctx.now),
          file: out,
          reset: toBase64Url(bytes),
        }),
      )
    else ctx.out(`Log reset for ${operator}: epoch ${epoch} from ${size} leaves, written to ${out}`)
  },
}
