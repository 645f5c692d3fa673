/**
 * @module checks/cross
 * Checks over everything the run saw, run last: every error body any node sent (spec 10.3),
 * and every request the nodes sent the harness peer (11.2, 11.4, 11.5, 14.5).
 */
import { ensure, type Check } from './check.js'

export const crossChecks: Check[] = [
  {
    id: 'cross.error-bodies',
    title: 'every error answer carries a known code with the HTTP status of the code table',
    group: 'cross',
    clauses: ['10.3-4'],
    kind: 'example',
    async run({ world }) {
      const v = world.violations
      ensure(
        v.length === 0,
        `${v.length} error answers broke 10.3: ${[...new Set(v.map((x) => x.what))].slice(0, 8).join('; ')}`,
        '10.3-4',
      )
    },
  },
  {
    id: 'cross.outbound',
    title:
      'every request a node sent the harness peer was signed and formed as section 11 requires',
    group: 'cross',
    clauses: ['11.2-1', '11.2-2', '11.4-1', '11.5-1', '14.5-1'],
    kind: 'example',
    async run({ world }) {
      const v = world.peer.violations
      const first = v[0]
      ensure(
        v.length === 0,
        `${v.length} departures, e.g. ${[...new Set(v.map((x) => `${x.clause}: ${x.what}`))].slice(0, 6).join('; ')}`,
        first?.clause,
      )
    },
  },
]
