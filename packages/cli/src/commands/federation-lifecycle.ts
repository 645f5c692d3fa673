/**
 * @module commands/federation-lifecycle
 * `barid federation reissue`, `retire-ca` and `rollover`: keeping the list fresh, retiring an
 * operator CA (spec/23), and rolling the governance key over (spec/20 section 5).
 */
import { rename } from 'node:fs/promises'
import { join } from 'node:path'
import { iso, optional, parseTime, required, type Command } from '../command.js'
import { BaridError, exportPrivateJwk, generateKeyPair, parseCertificate } from '../core.js'
import { readKeyPair } from '../documents.js'
import { FileError, UsageError } from '../errors.js'
import {
  FILES,
  findOperator,
  loadFederation,
  nextContent,
  publishList,
} from '../federation-state.js'
import { exists, resolvePath, writePublic, writeSecret } from '../files.js'
import { parseAlgorithm } from './federation-init.js'

const DIR_OPTION = { dir: { type: 'string' } } as const

export const federationReissue: Command = {
  name: ['federation', 'reissue'],
  summary: 'Issue the next trust list unchanged, with a new next-update time',
  help: `Usage: barid federation reissue [--dir DIR]

Issues the next trust list with the same content and fresh issue and next-update times. Run it
before the current list's next-update (e.g. daily from cron): a list past next-update is stale,
and nodes then refuse first contact with peers and, past the maximum staleness, all traffic.

Options:
      --dir DIR            Federation directory. Default: .`,
  options: DIR_OPTION,
  async run(ctx, values) {
    const state = await loadFederation(
      resolvePath(ctx.cwd, optional(values, 'dir') ?? '.'),
      ctx.now,
    )
    const list = await publishList(state, nextContent(state, ctx.now), ctx.now)
    if (ctx.json)
      ctx.out(
        JSON.stringify({ ok: true, sequence: list.sequence, nextUpdate: iso(list.nextUpdate) }),
      )
    else ctx.out(`Trust list sequence ${list.sequence} issued, next update ${iso(list.nextUpdate)}`)
  },
}

export const federationRetireCa: Command = {
  name: ['federation', 'retire-ca'],
  summary: 'Retire an operator CA: refuse signatures under it from a given time',
  help: `Usage: barid federation retire-ca --operator ID --serial HEX [--at TIME] [--dir DIR]

Marks one of an operator's CA certificates as retired from --at: signatures dated at or after
that time by keys certified under it are refused (ERR_OPERATOR_CA_RETIRED); earlier ones still
verify. Used when an operator rotates its CA, and when a CA key is lost or compromised (then
--at is the time from which the key can no longer be trusted; see spec/23).

Options:
      --operator ID        The operator (required).
      --serial HEX         Serial number of the CA certificate (see barid cert inspect) (required).
      --at TIME            Retirement time. Default: now.
      --dir DIR            Federation directory. Default: .`,
  options: {
    operator: { type: 'string' },
    serial: { type: 'string' },
    at: { type: 'string' },
    ...DIR_OPTION,
  },
  async run(ctx, values) {
    const state = await loadFederation(
      resolvePath(ctx.cwd, optional(values, 'dir') ?? '.'),
      ctx.now,
    )
    const op = findOperator(state.list, required(values, 'operator'))
    const serial = required(values, 'serial').toLowerCase()
    const at = typeof values.at === 'string' ? parseTime(values.at, 'at') : ctx.now
    const certs = await Promise.all(op.cas.map((c) => parseCertificate(c.cert)))
    const index = certs.findIndex((c) => c.serialNumber === serial)
    if (index < 0) {
      const serials = certs.map((c) => c.serialNumber)
      throw new BaridError(
        'ERR_NOT_FOUND',
        `${op.id} has no CA certificate with serial ${serial} (has: ${serials.join(', ')})`,
        { details: { operator: op.id, serial, serials } },
      )
    }
    // A retirement is brought forward, never pushed back: a later `until` would make valid
    // again what verifiers have refused since (spec 20.4).
    const before = op.cas[index]!.until
    if (before !== undefined && at > before) {
      throw new BaridError(
        'ERR_GOVERNANCE_CONFLICT',
        `CA ${serial} of ${op.id} is retired from ${iso(before)} already; a retirement can be ` +
          `brought forward, not pushed back`,
        { details: { operator: op.id, serial, until: iso(before) } },
      )
    }
    const cas = op.cas.map((c, i) => (i === index ? { cert: c.cert, until: at } : c))
    const operators = state.list.operators.map((o) => (o.id === op.id ? { ...op, cas } : o))
    const list = await publishList(state, nextContent(state, ctx.now, { operators }), ctx.now)
    if (ctx.json)
      ctx.out(
        JSON.stringify({
          ok: true,
          operator: op.id,
          serial,
          until: iso(at),
          sequence: list.sequence,
        }),
      )
    else
      ctx.out(
        `CA ${serial} of ${op.id} retired from ${iso(at)}; trust list sequence ${list.sequence}`,
      )
  },
}

export const federationRollover: Command = {
  name: ['federation', 'rollover'],
  summary: 'Roll the governance key over: --announce the next key, then --complete',
  help: `Usage: barid federation rollover (--announce | --complete) [--dir DIR] [--alg ALG]

Governance key rollover in two lists (spec/20 section 5):
  --announce  generates the next governance key (governance-next.key.jwk, secret) and issues a
              list, signed by the current key, that announces it. Nodes holding that list will
              accept the next list signed by either key.
  --complete  issues a list signed by the next key that names it as the only governance key.
              Nodes that accept it refuse any later list signed by the old key. The old key
              files are kept as governance-retired-<sequence>.*.jwk; destroy them when no node
              holds an older list.
Wait between the two steps until every node has fetched the announcing list.

Options:
      --announce | --complete
      --alg ALG            For --announce: Ed25519 (default) or ES256.
      --dir DIR            Federation directory. Default: .`,
  options: {
    announce: { type: 'boolean' },
    complete: { type: 'boolean' },
    alg: { type: 'string' },
    ...DIR_OPTION,
  },
  async run(ctx, values) {
    const dir = resolvePath(ctx.cwd, optional(values, 'dir') ?? '.')
    if ((values.announce === true) === (values.complete === true))
      throw new UsageError('give exactly one of --announce and --complete')
    const state = await loadFederation(dir, ctx.now)
    const nextKeyFile = join(dir, FILES.governanceNextKey)
    if (values.announce === true) {
      if (state.list.rollover !== undefined)
        throw new BaridError(
          'ERR_GOVERNANCE_CONFLICT',
          'a rollover is already announced; run --complete',
          { details: { announced: state.list.rollover.kidBase64Url } },
        )
      const next = await generateKeyPair(parseAlgorithm(optional(values, 'alg')), {
        extractable: true,
      })
      await writeSecret(nextKeyFile, JSON.stringify(await exportPrivateJwk(next)))
      await writePublic(
        join(dir, 'governance-next.pub.jwk'),
        `${JSON.stringify(next.publicJwk, null, 2)}\n`,
      )
      const list = await publishList(
        state,
        nextContent(state, ctx.now, { rollover: next }),
        ctx.now,
      )
      if (ctx.json)
        ctx.out(
          JSON.stringify({
            ok: true,
            step: 'announce',
            nextKid: next.kidBase64Url,
            sequence: list.sequence,
          }),
        )
      else
        ctx.out(
          `Announced governance key ${next.kidBase64Url} in trust list sequence ${list.sequence}`,
        )
      return
    }
    if (state.list.rollover === undefined)
      throw new BaridError(
        'ERR_GOVERNANCE_CONFLICT',
        'no rollover is announced; run --announce first',
      )
    // Announced but its key is gone: a missing input, not a state the list is in.
    if (!(await exists(nextKeyFile)))
      throw new FileError(
        `cannot read ${nextKeyFile}: it does not exist (the key the list announces)`,
        nextKeyFile,
      )
    const next = await readKeyPair(nextKeyFile)
    if (next.kidBase64Url !== state.list.rollover.kidBase64Url)
      throw new FileError(`${nextKeyFile} is not the announced key`, nextKeyFile)
    const input = nextContent(state, ctx.now, { governanceKeys: [next] })
    const { rollover: _announced, ...withoutRollover } = input
    const list = await publishList(state, withoutRollover, ctx.now, next)
    const retired = `governance-retired-${String(list.sequence - 1).padStart(6, '0')}`
    await rename(join(dir, FILES.governanceKey), join(dir, `${retired}.key.jwk`))
    await rename(join(dir, FILES.governancePub), join(dir, `${retired}.pub.jwk`))
    await rename(nextKeyFile, join(dir, FILES.governanceKey))
    await rename(join(dir, 'governance-next.pub.jwk'), join(dir, FILES.governancePub))
    if (ctx.json)
      ctx.out(
        JSON.stringify({
          ok: true,
          step: 'complete',
          governanceKid: next.kidBase64Url,
          sequence: list.sequence,
        }),
      )
    else
      ctx.out(
        `Governance key is now ${next.kidBase64Url} (trust list sequence ${list.sequence}); old key kept as ${retired}.key.jwk`,
      )
  },
}
