/**
 * @module bench/lib/args
 * Command-line flags of `bench/throughput.ts`.
 */

export interface BenchArgs {
  /** Letters in the bulk (sustained throughput) run. */
  letters: number
  /** Offered rate and duration of the paced latency run. */
  rate: number
  seconds: number
  /** Letters per request of each paced run (1: single letters; more: small batches). */
  perRequest: number[]
  /** Keep-alive connections of the paced run's HTTP client. */
  connections: number
  /** Danish recipients of the cross-border runs. */
  recipients: number
  synchronous: 'full' | 'normal'
  sections: Set<'throughput' | 'latency'>
  /** Runs of each cross-border section (the figures are then given as ranges). */
  repeat: number
  /** Directory for the children's `--cpu-prof` profiles. */
  cpuProf: string | undefined
  /** Kind of the cross-border letters: registered mail adds evidence on both sides. */
  kind: 'letter' | 'registered'
  /** The agency's signing algorithm: each node verifies every letter's signature with it. */
  alg: 'Ed25519' | 'ES256'
  keep: boolean
}

const USAGE = `usage: npx tsx bench/throughput.ts [options]
  --letters N        letters in the bulk throughput run (default 20000)
  --rate R           offered letters/s in the paced latency run (default 1000)
  --seconds S        duration of the paced run (default 10)
  --connections C    keep-alive connections of the paced run's client (default 64)
  --per-request K,.. letters per request of each paced run: 1 = single letters, more = small
                     batches sent on the same schedule (default 1,10: both)
  --recipients R     Danish recipients of the cross-border runs (default 100)
  --sync full|normal SQLite synchronous of both nodes (default full, the reference default)
  --only a,b         sections: throughput, latency (default both)
  --repeat N         run each cross-border section N times, report ranges (default 1)
  --quick            small run: 3000 letters, 3 s paced
  --cpu-prof DIR     write CPU profiles of both node processes, timed part only, to DIR
  --kind K           letter (default) or registered: registered mail adds the evidence
                     records (issued, verified, logged) on both sides
  --alg A            the agency's signing algorithm: Ed25519 (default) or ES256; both nodes
                     verify every letter with it, and the floor verifies with the same
  --keep             keep the temp directory
A bare number is taken as --letters (the old form).
The mailbox listing target has its own benchmark: bench/listing.ts.`

/** Parses `argv` (without node and script). */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const a: BenchArgs = {
    letters: 20_000,
    rate: 1000,
    seconds: 10,
    recipients: 100,
    connections: 64,
    perRequest: [1, 10],
    synchronous: 'full',
    sections: new Set(['throughput', 'latency']),
    repeat: 1,
    cpuProf: undefined,
    kind: 'letter',
    alg: 'Ed25519',
    keep: false,
  }
  const num = (v: string | undefined, flag: string) => {
    const n = Number(v)
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number\n${USAGE}`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!
    const v = () => argv[++i]
    switch (f) {
      case '--letters':
        a.letters = num(v(), f)
        break
      case '--rate':
        a.rate = num(v(), f)
        break
      case '--seconds':
        a.seconds = num(v(), f)
        break
      case '--per-request':
        a.perRequest = (v() ?? '').split(',').map((k) => Math.round(num(k, f)))
        break
      case '--connections':
        a.connections = num(v(), f)
        break
      case '--recipients':
        a.recipients = Math.min(4000, num(v(), f))
        break
      case '--sync': {
        const s = v()
        if (s !== 'full' && s !== 'normal') throw new Error(`--sync full|normal\n${USAGE}`)
        a.synchronous = s
        break
      }
      case '--only':
        a.sections = new Set(
          (v() ?? '').split(',').map((s) => {
            if (s !== 'throughput' && s !== 'latency')
              throw new Error(`--only: unknown section ${s}\n${USAGE}`)
            return s
          }),
        )
        break
      case '--repeat':
        a.repeat = Math.round(num(v(), f))
        break
      case '--quick':
        a.letters = 3000
        a.seconds = 3
        break
      case '--cpu-prof':
        a.cpuProf = v()
        break
      case '--alg': {
        const g = v()
        if (g !== 'Ed25519' && g !== 'ES256') throw new Error(`--alg Ed25519|ES256\n${USAGE}`)
        a.alg = g
        break
      }
      case '--kind': {
        const k = v()
        if (k !== 'letter' && k !== 'registered')
          throw new Error(`--kind letter|registered\n${USAGE}`)
        a.kind = k
        break
      }
      case '--keep':
        a.keep = true
        break
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n')
        process.exit(0)
        break
      default:
        if (/^\d+$/.test(f)) a.letters = Number(f)
        else throw new Error(`unknown option ${f}\n${USAGE}`)
    }
  }
  return a
}
