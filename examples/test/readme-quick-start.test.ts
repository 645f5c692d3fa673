/**
 * The quick start of `@barid/client` ("Ten lines" in packages/client/README.md) as a newcomer
 * follows it: the TypeScript block saved as `hello.ts` in `examples/`, type-checked, and the
 * shell block run with bash against two real nodes, its closing comment compared with what the
 * program prints. Only the node's URL is put in (the README's port 7401 is the demo's) and the
 * federation's data directory given as `DATA`, as the README says to.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createCitizenClient, generatePartyKeys, requestDevToken } from '@barid/client'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { admin, startLocalFederation, type LocalFederation } from './local-federation.js'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const EXAMPLES = join(REPO, 'examples')
const README = join(REPO, 'packages', 'client', 'README.md')
const README_URL = 'http://127.0.0.1:7401'
const RUN_LINE = 'cd examples && npx tsx hello.ts'

/** The two code blocks of the README's quick start section. */
async function quickStart(): Promise<{ program: string; shell: string }> {
  const text = await readFile(README, 'utf8')
  const section = text.slice(text.indexOf('## Ten lines'), text.indexOf('## What it does'))
  const program = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
  const shell = /```sh\n([\s\S]*?)```/.exec(section)?.[1]
  if (!program || !shell) throw new Error('the README quick start has no ts and sh blocks')
  return { program, shell }
}

/** The type errors of `file`, compiled with the examples' tsconfig, as tsc prints them. */
function typeErrors(file: string): string {
  const config = ts.readConfigFile(join(EXAMPLES, 'tsconfig.json'), (f) => ts.sys.readFile(f))
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, EXAMPLES)
  const program = ts.createProgram([file], { ...parsed.options, noEmit: true })
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => EXAMPLES,
    getNewLine: () => '\n',
  })
}

function bash(script: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    let stdout = ''
    let stderr = ''
    const child = spawn('bash', ['-c', script], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout.on('data', (d) => (stdout += String(d)))
    child.stderr.on('data', (d) => (stderr += String(d)))
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

let fed: LocalFederation
let dir: string | undefined

beforeAll(async () => {
  fed = await startLocalFederation()
  // What the demo leaves behind that the quick start relies on: Lars, with a device's keys.
  await admin(fed.dk, 'POST', '/v1/admin/mailboxes', {
    address: 'lars.jensen',
    identifier: 'dk:cpr:0101901234',
    kind: 'person',
    displayName: 'Lars Jensen',
  })
  const token = await requestDevToken({ baseUrl: fed.dk.url, identifier: 'dk:cpr:0101901234' })
  const keys = await generatePartyKeys()
  await createCitizenClient({ baseUrl: fed.dk.url, token, keys }).registerKeys()
}, 60_000)

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
  await fed?.close()
})

describe('the client README quick start', () => {
  it('type-checks, and run as written sends a registered letter whose verified trail it prints', async () => {
    const { program, shell } = await quickStart()
    // examples/hello.ts, in a folder of its own under examples/ so that a hello.ts of the
    // reader's is left alone and @barid/client resolves as it would from examples/.
    dir = await mkdtemp(join(EXAMPLES, '.quick-start-'))
    const hello = join(dir, 'hello.ts')
    await writeFile(hello, program.replaceAll(README_URL, fed.eg.url))
    expect(typeErrors(hello)).toBe('')

    const lines = shell.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^export DATA=/)
    expect(lines).toContain(RUN_LINE)
    const expected = lines.at(-1)!
    expect(expected).toMatch(/^# /)
    // --no-install: tsx is the workspace's; a test never fetches from a registry.
    const script = lines
      .slice(1)
      .join('\n')
      .replaceAll(README_URL, fed.eg.url)
      .replace(RUN_LINE, `cd ${JSON.stringify(dir)} && npx --no-install tsx hello.ts`)

    const first = await bash(script, { DATA: fed.dir })
    expect(first).toMatchObject({ code: 0, stderr: '' })
    expect(first.stdout).toBe(`${expected.slice(2)}\n`)

    // Run again, the README says the admin API refuses the id, and says so.
    const again = await bash(script, { DATA: fed.dir })
    expect(again.code).not.toBe(0)
    expect(again.stderr).toContain('that sender id is taken')
  }, 90_000)
})
