import { describe, expect, it } from 'vitest'
import { runCli } from './cli.js'
import { COMMANDS } from './commands/index.js'

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
})
