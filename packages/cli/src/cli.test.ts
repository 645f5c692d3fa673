import { readFile } from 'node:fs/promises'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runCli } from './cli.js'
import { COMMANDS } from './commands/index.js'

const GROUPS = ['federation', 'operator', 'trust-list', 'cert', 'evidence']
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

async function cli(args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    cwd: '/nonexistent',
  })
  return { code, stdout, stderr }
}

describe('barid help and argument handling', () => {
  it('has --help on every command, naming its usage, options and exit codes', async () => {
    for (const c of COMMANDS) {
      const r = await cli([...c.name, '--help'])
      expect(r.code, c.name.join(' ')).toBe(0)
      expect(r.stdout).toContain(`Usage: barid ${c.name.join(' ')}`)
      expect(r.stdout).toContain('Exit codes:')
      for (const option of Object.keys(c.options))
        expect(r.stdout, `${c.name.join(' ')} --${option}`).toContain(`--${option}`)
    }
  })

  it('lists every command in the main help, and exits 2 without a command', async () => {
    const r = await cli([])
    expect(r.code).toBe(2)
    for (const c of COMMANDS) expect(r.stdout).toContain(c.name.join(' '))
    expect((await cli(['help', 'cert', 'inspect'])).stdout).toContain(
      'Usage: barid cert inspect FILE',
    )
  })

  it('refuses unknown commands, unknown options, missing arguments and bad times with exit code 2', async () => {
    expect((await cli(['nope'])).code).toBe(2)
    expect((await cli(['cert', 'inspect'])).code).toBe(2)
    expect((await cli(['cert', 'inspect', 'a', 'b'])).code).toBe(2)
    expect((await cli(['cert', 'inspect', 'a', '--frobnicate'])).code).toBe(2)
    const badTime = await cli(['federation', 'reissue', '--now', 'yesterday'])
    expect(badTime.code).toBe(2)
    expect(badTime.stderr).toContain('--now must be ISO 8601')
  })

  it('prints a JSON error with the code when --json is given', async () => {
    const r = await cli(['cert', 'inspect', 'missing.pem', '--json'])
    expect(r.code).toBe(3)
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'FILE' } })
  })

  it('lists the commands of each group with their summaries on group --help, and exits 2 without a subcommand', async () => {
    for (const group of GROUPS) {
      const members = COMMANDS.filter((c) => c.name.length > 1 && c.name[0] === group)
      expect(members.length, group).toBeGreaterThan(0)
      for (const args of [[group, '--help'], [group, '-h'], ['help', group]]) {
        const r = await cli(args)
        expect(r.code, args.join(' ')).toBe(0)
        expect(r.stderr).toBe('')
        expect(r.stdout).toContain(`Usage: barid ${group} <command>`)
        for (const c of members)
          expect(r.stdout).toMatch(new RegExp(`^  ${c.name.join(' ')} +${escape(c.summary)}$`, 'm'))
        for (const c of COMMANDS.filter((c) => c.name[0] !== group))
          expect(r.stdout).not.toContain(c.summary)
      }
      const bare = await cli([group])
      expect(bare.code, group).toBe(2)
      expect(bare.stdout).toBe('')
      expect(bare.stderr).toBe((await cli([group, '--help'])).stdout)
    }
    const unknown = await cli(['federation', 'nope', '--help'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command "federation nope"')
  })

  it('prints the version of its package.json on --version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'))
    const r = await cli(['--version'])
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' })
    expect((await cli([])).stdout).toContain('barid --version')
  })

  it('answers any command line that names no command with help or a usage error, never a crash', async () => {
    const word = fc.oneof(
      fc.constantFrom(...GROUPS, 'help', '--help', '-h', '--version', '--json', 'init', 'nope'),
      fc.string({ maxLength: 12 }),
    )
    const namesNoCommand = (args: string[]) =>
      !COMMANDS.some((c) => c.name.every((w, i) => args[i] === w))
    await fc.assert(
      fc.asyncProperty(fc.array(word, { maxLength: 5 }).filter(namesNoCommand), async (args) => {
        const r = await cli(args)
        expect([0, 2]).toContain(r.code)
        if (r.code === 0) expect(r.stdout.length).toBeGreaterThan(0)
        else expect(r.stderr.length + r.stdout.length).toBeGreaterThan(0)
      }),
      { numRuns: 300 },
    )
  })

  it('names every command in the command table of the README', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
    const section = readme.slice(readme.indexOf('## Commands'), readme.indexOf('## Exit codes'))
    const cells = section
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => l.split(' | ')[0] as string)
    for (const c of COMMANDS) {
      const name = c.name.join(' ')
      // A row may share one group word among several commands: `federation suspend` / `withdraw`.
      const listed = cells.some(
        (cell) =>
          new RegExp(`\`${escape(name)}[ \`]`).test(cell) ||
          (c.name.length > 1 &&
            cell.startsWith(`| \`${c.name[0]} `) &&
            cell.includes(`/ \`${c.name.at(-1)}\``)),
      )
      expect(listed, name).toBe(true)
    }
  })
})
