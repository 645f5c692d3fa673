/**
 * The demo (`npm start`, `src/demo/main.ts`) as a user runs it, a real process: it says where its
 * data directory is, and removes a temporary one it made when it exits (after `--once`, or on
 * Ctrl-C), unless `--keep` asks to leave it.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqliteStorage } from '../src/storage/sqlite-storage.js'
import { barid } from '../src/trust/barid-cli.js'

const NODE_DIR = fileURLToPath(new URL('..', import.meta.url))

let parent: string
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'barid-demo-test-'))
})
afterAll(async () => {
  await rm(parent, { recursive: true, force: true })
})

/**
 * Runs the demo with its temporary folders made under `tmp`; with `interruptAt`, sends SIGINT
 * once that text is printed. Resolves with the exit code and what it printed.
 */
function demo(tmp: string, args: string[], interruptAt?: string) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp }
    delete env.CI
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/demo/main.ts', ...args], {
      cwd: NODE_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let interrupted = false
    const read = (b: Buffer) => {
      out += b.toString()
      if (interruptAt !== undefined && !interrupted && out.includes(interruptAt)) {
        interrupted = true
        p.kill('SIGINT')
      }
    }
    p.stdout!.on('data', read)
    p.stderr!.on('data', read)
    // A demo that does not end must not outlive the test.
    const limit = setTimeout(() => p.kill('SIGKILL'), 100_000)
    p.once('exit', (code) => {
      clearTimeout(limit)
      resolve({ code, out })
    })
  })
}

/** A temporary directory of its own for one run, and the demo folders left in it. */
async function folder(name: string): Promise<{ tmp: string; left: () => Promise<string[]> }> {
  const tmp = await mkdtemp(join(parent, name))
  return {
    tmp,
    left: async () => (await readdir(tmp)).filter((f) => f.startsWith('barid-demo-')),
  }
}

describe('the demo data directory', () => {
  it('says where it is and removes it at exit after --once', async () => {
    const { tmp, left } = await folder('once-')
    const r = await demo(tmp, ['--once'])
    expect(r.code).toBe(0)
    const dir = /data directory: (\S+) \(removed when the demo exits; --keep keeps it\)/.exec(r.out)
    expect(dir?.[1]).toMatch(new RegExp(`^${tmp}/barid-demo-`))
    expect(r.out).toContain(`Removed the data directory ${dir![1]}.`)
    expect(await left()).toEqual([])
  }, 120_000)

  it('removes it when stopped with Ctrl-C', async () => {
    const { tmp, left } = await folder('sigint-')
    const r = await demo(tmp, [], 'Press Ctrl-C to stop.')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/Removed the data directory /)
    expect(await left()).toEqual([])
  }, 120_000)

  it('keeps it with --keep and says so', async () => {
    const { tmp, left } = await folder('keep-')
    const r = await demo(tmp, ['--once', '--keep'])
    expect(r.code).toBe(0)
    const kept = await left()
    expect(kept).toHaveLength(1)
    expect(r.out).toContain(`data directory: ${join(tmp, kept[0]!)} (kept: --keep)`)
    expect(r.out).toContain(`The data directory stays: ${join(tmp, kept[0]!)}`)
  }, 120_000)
})

describe('the demo evidence bundles', () => {
  it('are fetched from the sender API and verified offline with a witnessed log proof for every record', async () => {
    const { tmp } = await folder('bundle-')
    const r = await demo(tmp, ['--once'])
    expect(r.code, r.out).toBe(0)
    expect(r.out).not.toContain('no log proof')
    // Two letters of four records each, every record shown in its issuer's log, cosigned by the
    // other node.
    const proof = /by (\S+) .*; log proof: leaf \d+ of \d+ in (\S+)'s log, witnesses: (\S+)$/gm
    const logged = [...r.out.matchAll(proof)]
    expect(logged).toHaveLength(8)
    for (const [, issuer, log, witness] of logged) {
      expect(log).toBe(issuer)
      expect(witness).not.toBe(issuer)
    }
    const count = (re: RegExp) => r.out.match(re)?.length ?? 0
    expect(count(/4 records, 2 node certificates, 2 revocation lists, 4 log proofs/g)).toBe(2)
    expect(
      count(/barid evidence verify --require-witnesses 1: 4 records valid, 4 shown in their issue/g),
    ).toBe(2)
  }, 120_000)
})

/** Holds `port` on 127.0.0.1, as another program would, until closed. */
function hold(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(port, '127.0.0.1', () => resolve(s))
  })
}

/** The URL the demo printed for the node of `operator`. */
const urlOf = (out: string, operator: string) =>
  new RegExp(`\\(${operator.replace('.', '\\.')}, [^)]+\\) at (http://127\\.0\\.0\\.1:\\d+)`).exec(
    out,
  )?.[1]

describe('a federation reused with --data', () => {
  it('names the nodes where they listen now when a port the earlier run took is held', async () => {
    const { tmp } = await folder('reuse-')
    const data = join(tmp, 'data')
    const first = await demo(tmp, ['--once', '--data', data])
    expect(first.code, first.out).toBe(0)
    const before = urlOf(first.out, 'post.eg')!
    expect(before).toBeDefined()
    // Something else now holds the port post.eg had: its node has to listen elsewhere.
    const held = await hold(Number(new URL(before).port))
    let second: Awaited<ReturnType<typeof demo>>
    try {
      second = await demo(tmp, ['--once', '--data', data])
    } finally {
      await new Promise((r) => held.close(r))
    }
    expect(second.out).toContain('reusing the federation')
    const after = urlOf(second.out, 'post.eg')!
    expect(after).toBeDefined()
    expect(after).not.toBe(before)
    expect(second.out).toContain(`set-endpoints  post.eg: now at ${after}/`)
    // The list both nodes hold names the node where it listens, and digitalpost.dk where it was.
    const list = await barid([
      ...['trust-list', 'verify', join(data, 'federation', 'trust-list.cose')],
      ...['--governance-key', join(data, 'federation', 'governance.pub.jwk')],
    ])
    const endpoints = Object.fromEntries(
      (list.operators as { id: string; endpoints: string[] }[]).map((o) => [o.id, o.endpoints]),
    )
    expect(endpoints).toEqual({
      'post.eg': [`${after}/`],
      'digitalpost.dk': [`${urlOf(second.out, 'digitalpost.dk')}/`],
    })
    expect(second.out).toMatch(new RegExp(`at ${after}, trust list #${list.sequence}\\b`))
  }, 240_000)
})

describe('the demo run again on the same --data', () => {
  it('reuses its senders and mailboxes with new API keys and sends its letters again, each time', async () => {
    const { tmp } = await folder('rerun-')
    const data = join(tmp, 'data')
    for (const run of [1, 2, 3]) {
      const r = await demo(tmp, ['--once', '--data', data])
      expect(r.code, `run ${run}:\n${r.out}`).toBe(0)
      expect(r.out).toContain('Demo complete (--once).')
      expect(r.out).toContain("Skattestyrelsen's inbox:")
      if (run > 1) {
        expect(r.out).toContain('reusing the federation')
        expect(r.out).toContain(
          'sender organisation tax@post.eg (Egyptian Tax Authority): a new API key, the earlier one revoked',
        )
      }
    }
    // Each sender holds the last run's key alone, each mailbox the last run's device keys alone.
    for (const [operator, sender, person] of [
      ['post.eg', 'eta', 'amina.hassan@post.eg'],
      ['digitalpost.dk', 'skat', 'lars.jensen@digitalpost.dk'],
    ] as const) {
      await using storage = createSqliteStorage({ file: join(data, operator, 'node.db') })
      expect(await storage.liveSenderApiKeys(sender, Date.now())).toHaveLength(1)
      const org = (await storage.getSenderById(sender))!
      expect(await storage.listMailboxKeys(org.mailboxId)).toHaveLength(2)
      const mb = (await storage.getMailboxByAddress(person))!
      expect(await storage.listMailboxKeys(mb.id)).toHaveLength(2)
    }
  }, 240_000)
})
