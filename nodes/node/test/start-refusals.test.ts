/**
 * `barid-node` refusing to start, as an operator meets it: a real process (`src/main.ts`, as the
 * profiles' start.sh runs it) exits 1 with one line that says why, not a stack trace, for a
 * setting it cannot use, a port already taken, a data directory of another operator, and a
 * database a newer version of the node migrated (an operator who rolled back an upgrade); and
 * exits 2 naming a wrong option or command, then the usage.
 */
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/config.js'
import { startNode } from '../src/node.js'

const NODE_DIR = fileURLToPath(new URL('..', import.meta.url))

let dir: string
let taken: Server
let takenPort: number

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barid-refusals-'))
  taken = createServer()
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r))
  takenPort = (taken.address() as { port: number }).port
})
afterAll(async () => {
  await new Promise((r) => taken.close(r))
  await rm(dir, { recursive: true, force: true })
})

/** Runs the node with `env` and the profile; resolves with its exit code and stderr. */
function run(profile: string, env: Record<string, string>, args: string[] = []) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', ...args, '--profile', join(NODE_DIR, '..', profile)],
      {
        cwd: NODE_DIR,
        env: { ...process.env, BARID_LOG_LEVEL: 'silent', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    )
    let stderr = ''
    p.stderr!.on('data', (b: Buffer) => (stderr += b.toString()))
    // A node that starts where it should have refused must not outlive the test.
    const limit = setTimeout(() => p.kill('SIGKILL'), 45_000)
    p.once('exit', (code) => {
      clearTimeout(limit)
      resolve({ code, stderr })
    })
  })
}

function expectOneLine(stderr: string, pattern: RegExp, command = 'start'): void {
  expect(stderr.trim().split('\n')).toHaveLength(1)
  expect(stderr).toMatch(new RegExp(`^barid-node: cannot ${command}: `))
  expect(stderr).toMatch(pattern)
}

describe('barid-node refusing to start', () => {
  it('says in one line that a setting is malformed', async () => {
    const r = await run('denmark', { BARID_DATA_DIR: join(dir, 'a'), BARID_PORT: 'eighty' })
    expect(r.code).toBe(1)
    expectOneLine(
      r.stderr,
      /BARID_PORT \(port\) must be an integer in \[0, 65535\] \(ERR_INVALID_ARGUMENT\)/,
    )
  }, 60_000)

  it('says in one line which setting is wrong, where it came from and what it must be', async () => {
    const bad = join(dir, 'bad.json')
    await writeFile(bad, '{"port": 7622,}')
    const typed = join(dir, 'typed.json')
    await writeFile(typed, '{"port": "abc"}')
    const data = join(dir, 'settings')
    const [port, url, json, type] = await Promise.all([
      run('denmark', { BARID_DATA_DIR: data, BARID_PORT: '99999' }),
      run('denmark', { BARID_DATA_DIR: data, BARID_PUBLIC_URL: 'notaurl' }),
      run('denmark', { BARID_DATA_DIR: data }, ['--config', bad]),
      run('denmark', { BARID_DATA_DIR: data }, ['--config', typed]),
    ])
    for (const r of [port, url, json, type]) expect(r.code).toBe(1)
    expectOneLine(port.stderr, /config: BARID_PORT \(port\) must be an integer in \[0, 65535\]/)
    expectOneLine(url.stderr, /config: BARID_PUBLIC_URL \(publicUrl\) must be an http\(s\) URL/)
    expectOneLine(json.stderr, /config: config file .*bad\.json is not valid JSON/)
    expectOneLine(type.stderr, /config: port in .*typed\.json must be an integer in \[0, 65535\]/)
  }, 60_000)

  it('names a wrong option or command on one line, then gives the usage, and exits 2', async () => {
    const runs = await Promise.all([
      run('denmark', {}, ['--bogus']),
      run('denmark', {}, ['--config']),
      run('denmark', {}, ['backup', '--to']),
      run('denmark', {}, ['backup', '--to', join(dir, 'x'), '--bogus']),
      run('denmark', {}, ['bogus']),
    ])
    const said = [
      'unknown option --bogus',
      'option --config needs a value',
      'option --to needs a value',
      'unknown option --bogus',
      'unknown command bogus',
    ]
    for (const [i, r] of runs.entries()) {
      expect(r.code).toBe(2)
      const lines = r.stderr.trim().split('\n')
      expect(lines[0]).toBe(`barid-node: ${said[i]}`)
      expect(lines[1]).toMatch(/^usage: barid-node /)
      expect(r.stderr).not.toMatch(/Error|\n\s+at /)
    }
  }, 60_000)

  it('says in one line that its port is taken, then a data directory of another operator', async () => {
    const data = join(dir, 'dk')
    const busy = await run('denmark', { BARID_DATA_DIR: data, BARID_PORT: String(takenPort) })
    expect(busy.code).toBe(1)
    expectOneLine(
      busy.stderr,
      new RegExp(
        `EADDRINUSE.*127\\.0\\.0\\.1:${takenPort} \\(EADDRINUSE\\); another process listens ` +
          'there \\(another node, or the demo of npm start\\): stop it, or set another port ' +
          '\\(BARID_PORT, or port in the config file\\)',
      ),
    )
    // The port is bound first: a start that cannot listen leaves no data directory behind.
    await expect(stat(data)).rejects.toMatchObject({ code: 'ENOENT' })
    // A directory a Danish node made is not Egypt Post's (on a free port: what is refused is
    // the directory; a node that wrongly started would be killed by run's time limit).
    const dk = await loadConfig({
      profile: join(NODE_DIR, '..', 'denmark'),
      overrides: { dataDir: data, port: 0, logLevel: 'silent' },
    })
    await (await startNode(dk)).stop()
    const other = await run('egypt-post', { BARID_DATA_DIR: data, BARID_PORT: '0' })
    expect(other.code).toBe(1)
    expectOneLine(other.stderr, /not an operator CA certificate of post\.eg \(ERR_INVALID_ARGUMENT\)/)
  }, 90_000)

  it('says in one line that a newer version of the node migrated its database', async () => {
    const data = join(dir, 'downgraded')
    const dk = await loadConfig({
      profile: join(NODE_DIR, '..', 'denmark'),
      overrides: { dataDir: data, port: 0, logLevel: 'silent' },
    })
    await (await startNode(dk)).stop()
    // What the next version leaves: one migration more, dated after this version's newest.
    const db = new Database(join(data, 'node.db'))
    db.prepare(
      `insert into __drizzle_migrations (hash, created_at)
         select 'next', max(created_at) + 1 from __drizzle_migrations`,
    ).run()
    db.close()
    const r = await run('denmark', { BARID_DATA_DIR: data, BARID_PORT: '0' })
    expect(r.code).toBe(1)
    expectOneLine(
      r.stderr,
      new RegExp(
        'database .*downgraded.node\\.db was migrated by a newer version of the node .* ' +
          '\\(ERR_UNSUPPORTED_VERSION\\)',
      ),
    )
  }, 60_000)

  it('says in one line that a backup needs a target, and what it is run as', async () => {
    const r = await run('denmark', { BARID_DATA_DIR: join(dir, 'b') }, ['backup'])
    expect(r.code).toBe(1)
    expectOneLine(r.stderr, /backup needs --to <directory> \(ERR_INVALID_ARGUMENT\)/, 'backup')
    const none = await run('denmark', { BARID_DATA_DIR: join(dir, 'none') }, [
      'backup',
      '--to',
      join(dir, 'none-backup'),
    ])
    expect(none.code).toBe(1)
    expectOneLine(none.stderr, /no node database at .*none.node\.db/, 'backup')
    const unknown = await run('denmark', {}, ['restore'])
    expect(unknown.code).toBe(2)
  }, 60_000)
})
