/**
 * Readiness and the node's own place in its federation (spec 15.2), with real nodes: a node whose
 * operator is not an active member under the trust list it holds, or whose node certificate does
 * not chain to one of its operator's CAs in that list, answers `/readyz` 503 with the reason's
 * code, and its log says so in one line naming the operator and the federation.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadProfile } from '../src/config/profile.js'
import { createLogger } from '../src/ops/logger.js'
import { createLocalFederation } from '../src/trust/local-federation.js'
import { eventually, startPair, type Pair } from './harness.js'

const NODES_DIR = fileURLToPath(new URL('../../', import.meta.url))

async function readyz(pair: Pair, side: 'eg' | 'dk') {
  const node = pair.nodes[side]
  const res = await node.app.request(`${node.url}/readyz`)
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

const messages = (lines: string[]) =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 'error')

describe('readiness and the node own membership', () => {
  it('is ready and says so when its operator is active and its certificate chains', async () => {
    await using pair = await startPair()
    expect(await readyz(pair, 'dk')).toMatchObject({
      status: 200,
      body: {
        status: 'ready',
        membership: { operator: 'digitalpost.dk', federation: 'barid-test', member: true },
      },
    })
  }, 60_000)

  it('is not ready when its operator directory belongs to another federation than the list it holds', async () => {
    await using pair = await startPair()
    const other = await createLocalFederation({
      dir: join(pair.dir, 'other-federation'),
      name: 'barid-other',
      operators: [
        {
          profile: await loadProfile(join(NODES_DIR, 'denmark')),
          url: pair.configs.dk.publicUrl,
          operatorDir: join(pair.dir, 'other-operator'),
        },
      ],
    })
    await pair.stop('dk')
    pair.configs.dk = {
      ...pair.configs.dk,
      operatorDir: join(pair.dir, 'other-operator'),
      trust: { ...pair.configs.dk.trust, ...other.trust },
    }
    const lines: string[] = []
    await pair.start('dk', { log: createLogger({ level: 'info', write: (l) => lines.push(l) }) })
    expect(await readyz(pair, 'dk')).toMatchObject({
      status: 503,
      body: {
        status: 'not-ready',
        storage: true,
        draining: false,
        membership: {
          operator: 'digitalpost.dk',
          federation: 'barid-test',
          member: false,
          code: 'ERR_CERT_UNTRUSTED',
        },
      },
    })
    const said = messages(lines).filter((l) => String(l.msg).startsWith('not ready:'))
    expect(said).toHaveLength(1)
    expect(said[0]).toMatchObject({
      msg: expect.stringMatching(/digitalpost\.dk.*federation barid-test.*ERR_CERT_UNTRUSTED/),
      operator: 'digitalpost.dk',
      federation: 'barid-test',
      code: 'ERR_CERT_UNTRUSTED',
    })
  }, 60_000)

  it('turns not ready when a status change of the held list withdraws its operator, and says so once', async () => {
    const lines: string[] = []
    await using pair = await startPair({ config: { trust: { reloadIntervalMs: 50 } } })
    await pair.stop('dk')
    await pair.start('dk', { log: createLogger({ level: 'info', write: (l) => lines.push(l) }) })
    expect((await readyz(pair, 'dk')).status).toBe(200)
    // Withdrawn a few seconds on: the new list is held before it takes effect. (One second was
    // too short for the CLI run and the update on a loaded machine: CI saw the withdrawal in force.)
    const effective = Math.floor(Date.now() / 1000) + 6
    await pair.federation.federation([
      'withdraw',
      '--operator',
      'digitalpost.dk',
      '--effective',
      String(effective),
    ])
    const list = new Uint8Array(await readFile(pair.federation.trustListFile))
    await pair.nodes.dk.services.trust.held.update(list)
    expect((await readyz(pair, 'dk')).status).toBe(200)
    expect(Date.now(), 'the check above ran before the withdrawal took effect').toBeLessThan(
      effective * 1000,
    )
    expect(messages(lines)).toEqual([])
    await eventually(
      async () =>
        expect(await readyz(pair, 'dk')).toMatchObject({
          status: 503,
          body: {
            status: 'not-ready',
            membership: {
              operator: 'digitalpost.dk',
              member: false,
              code: 'ERR_OPERATOR_WITHDRAWN',
            },
          },
        }),
      20_000,
    )
    await eventually(async () =>
      expect(messages(lines).map((l) => l.msg)).toEqual([
        'not ready: operator digitalpost.dk is not an active member of federation barid-test under the held trust list (ERR_OPERATOR_WITHDRAWN)',
      ]),
    )
    await new Promise((r) => setTimeout(r, 200))
    expect(messages(lines)).toHaveLength(1)
    // Its peer, still a member, stays ready.
    expect((await readyz(pair, 'eg')).status).toBe(200)
  }, 60_000)
})
