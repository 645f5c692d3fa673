/**
 * @module commands/trust-list-verify
 * `barid trust-list verify FILE`: governance signature, format, certificates, rollback against
 * a held list, and freshness; prints the operators and their status.
 */
import { integer, iso, many, optional, type Command } from '../command.js'
import {
  assertUsable,
  currentStatus,
  freshnessAt,
  operatorStateAt,
} from '../core.js'
import { loadTrustList, readGovernanceKeys } from '../trust-input.js'

export const trustListVerify: Command = {
  name: ['trust-list', 'verify'],
  summary: 'Verify a trust list and show its operators',
  help: `Usage: barid trust-list verify FILE --governance-key JWK [options]

Verifies a signed trust list: the governance signature, the format, and every certificate it
carries (federation roots, and each operator CA issued by a root and naming its operator).
With --previous, also that FILE may replace the list held (higher sequence, signed by a key
the held list authorises). Prints the list and each operator's status; exits 1 on failure.

Options:
      --governance-key JWK   Governance public key (governance.pub.jwk). Repeatable (required).
      --previous FILE        The list held until now: refuse rollback and unannounced keys.
      --max-staleness H      Hours past next-update before the list counts as expired. Default: 72.
      --require-fresh        Exit 1 unless the list is before its next-update.`,
  options: {
    'governance-key': { type: 'string', multiple: true },
    previous: { type: 'string' },
    'max-staleness': { type: 'string' },
    'require-fresh': { type: 'boolean' },
  },
  positionals: ['file'],
  async run(ctx, values, [file]) {
    const keys = await readGovernanceKeys(ctx.cwd, many(values, 'governance-key'))
    const list = await loadTrustList(
      ctx.cwd,
      file as string,
      keys,
      ctx.now,
      optional(values, 'previous'),
    )
    const freshness = freshnessAt(
      list.nextUpdate,
      ctx.now,
      integer(values, 'max-staleness', 72, 24 * 365) * 3600,
    )
    const operators = list.operators.map((o) => {
      const current = currentStatus(o)
      return {
        id: o.id,
        country: o.country,
        name: o.names.en,
        stateNow: operatorStateAt(o, ctx.now),
        status: current.state,
        since: iso(current.from),
        endpoints: o.endpoints,
        schemes: o.schemes,
        cas: o.cas.length,
      }
    })
    const summary = {
      ok: true,
      federation: list.federation,
      sequence: list.sequence,
      issued: iso(list.issued),
      nextUpdate: iso(list.nextUpdate),
      freshness: freshness.state,
      signer: list.signer.kidBase64Url,
      rollover: list.rollover?.kidBase64Url ?? null,
      operators,
    }
    if (ctx.json) ctx.out(JSON.stringify(summary))
    else {
      ctx.out(`Trust list ${list.federation} #${list.sequence}: signature and content valid`)
      ctx.out(`  issued ${summary.issued}, next update ${summary.nextUpdate} (${freshness.state})`)
      ctx.out(`  signed by governance key ${summary.signer}`)
      if (list.rollover !== undefined)
        ctx.out(`  announces the next governance key ${list.rollover.kidBase64Url}`)
      ctx.out(`  ${operators.length} operator(s)`)
      for (const o of operators) {
        ctx.out(
          `  - ${o.id} (${o.country}, ${o.name}): ${o.status} since ${o.since}; ${o.cas} CA(s); ${o.endpoints.join(' ')}`,
        )
      }
    }
    if (freshness.state !== 'fresh')
      ctx.err(`warning: the list is ${freshness.state} (next update was ${summary.nextUpdate})`)
    // A stale list fails as a first contact would: ERR_TRUST_LIST_STALE, or _EXPIRED.
    if (values['require-fresh'] === true) assertUsable(freshness, { firstContact: true })
  },
}
