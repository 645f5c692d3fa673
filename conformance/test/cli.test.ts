/**
 * The command line (`pnpm conformance`) on the ways a run goes wrong before any check: a
 * selection that names no check, a node that refuses connections, one that never answers, a web
 * server that is no Barid node. Each is exit 2 with a message naming the node, its URL, the
 * request and the cause, and no empty report folder.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type RequestListener, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunReport } from '../src/report/result.js'

const HERE = fileURLToPath(new URL('..', import.meta.url))
const SECRET = 'cli-test-secret-0123456789abcdef0123456789'

interface Ran {
  code: number | null
  out: string
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: HERE,
      env: { ...process.env, BARID_TEST_CONTROL_SECRET: SECRET, INIT_CWD: '', ...env },
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', (code) => ok({ code, out }))
  })
}

function listen(handler: RequestListener): Promise<{ s: Server; url: string }> {
  return new Promise((ok) => {
    const s = createServer(handler)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      ok({ s, url: `http://127.0.0.1:${port}` })
    })
  })
}

const PAGE =
  '<!doctype html><html><head><title>Not Found</title></head><body>' +
  '<p>nothing here</p>'.repeat(60) +
  '<p>END-OF-PAGE</p></body></html>'

describe('pnpm conformance before any check runs', () => {
  let dir: string
  let closed: string
  let silent: { s: Server; url: string }
  let web: { s: Server; url: string }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'barid-cli-'))
    const gone = await listen(() => {})
    closed = gone.url
    await new Promise((r) => gone.s.close(r))
    silent = await listen(() => {
      // never answers
    })
    web = await listen((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' })
      res.end(PAGE)
    })
  })

  afterAll(async () => {
    silent.s.closeAllConnections()
    await Promise.all([silent, web].map((x) => new Promise((r) => x.s.close(r))))
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses an --only entry that selects no check, listing the groups, and writes nothing', async () => {
    const out = join(dir, 'unknown')
    const r = await cli([
      ...['--node-a', web.url, '--node-b', web.url],
      ...['--only', 'no.such.check', '--out', out],
    ])
    expect(r.code).toBe(2)
    expect(r.out).toContain('no.such.check')
    expect(r.out).toContain('groups: discovery')
    expect(r.out).toContain('pnpm conformance --list')
    expect(r.out).not.toContain('conformant')
    expect(existsSync(out)).toBe(false)
  })

  it('names node, URL, request and ECONNREFUSED for a node that is down, and reports it', async () => {
    const out = join(dir, 'down')
    const r = await cli(['--node-a', closed, '--node-b', web.url, '--out', out])
    expect(r.code).toBe(2)
    expect(r.out).toContain(`node A (${closed}): GET ${closed}/v1/test-control: ECONNREFUSED`)
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as RunReport
    expect(report.passed).toBe(false)
    expect(report.setupError).toContain('ECONNREFUSED')
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('could not be set up')
  })

  it('names the timeout for a node that never answers', async () => {
    const r = await cli([
      ...['--node-a', silent.url, '--node-b', web.url],
      ...['--timeout', '1', '--out', join(dir, 'silent')],
    ])
    expect(r.code).toBe(2)
    expect(r.out).toContain(
      `node A (${silent.url}): GET ${silent.url}/v1/test-control: no answer within 1 s`,
    )
    expect(r.out).not.toContain('aborted')
  })

  it('cuts the page of a web server that is no Barid node and says what answered', async () => {
    const r = await cli(['--node-a', web.url, '--node-b', web.url, '--out', join(dir, 'web')])
    expect(r.code).toBe(2)
    expect(r.out).toContain(
      `node A (${web.url}): test control: info: GET /v1/test-control answered HTTP 404`,
    )
    expect(r.out).toContain('spec 30.4')
    expect(r.out).toContain('<title>Not Found</title>')
    expect(r.out).not.toContain('END-OF-PAGE')
    expect(r.out).not.toContain(SECRET)
  })

  it('resolves a relative --out against the directory pnpm was started in (INIT_CWD)', async () => {
    await rm(join(HERE, 'relative-report'), { recursive: true, force: true })
    const r = await cli(['--node-a', closed, '--node-b', closed, '--out', 'relative-report'], {
      INIT_CWD: dir,
    })
    expect(r.code).toBe(2)
    expect(existsSync(join(dir, 'relative-report', 'report.json'))).toBe(true)
    expect(existsSync(join(HERE, 'relative-report'))).toBe(false)
  })

  it('refuses --replay-path without the seed and path it belongs to', async () => {
    const r = await cli(['--only', 'model', '--replay-path', 'J:A'])
    expect(r.code).toBe(2)
    expect(r.out).toContain('--replay-path replays a counterexample')
  })
})
