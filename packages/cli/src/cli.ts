/**
 * @module cli
 * `barid`: dispatches to a command, prints help, and turns every failure into a message on
 * standard error and a documented exit code (see `exit-codes.ts`). Error output names the
 * Barid error code; it never contains key material (commands never put secrets in errors).
 */
import { COMMON_HELP, parseCommandArgs, parseTime, type Command, type Context } from './command.js'
import { BaridError } from './core.js'
import { FileError, UsageError } from './errors.js'
import { EXIT } from './exit-codes.js'
import { COMMANDS } from './commands/index.js'
import { cliVersion } from './version.js'

/** Where the CLI writes and where it runs. */
export interface CliIo {
  stdout(s: string): void
  stderr(s: string): void
  cwd: string
}

const EXIT_HELP = `Exit codes:
  0   success (a verification passed)
  1   verification failed, or refused by policy, by the federation's state or by what an
      input file holds (the error code names the rule; a file's path starts the message)
  2   usage error (unknown command or option, missing or malformed argument)
  3   file error (missing or unreadable input, output that already exists)
  70  internal error (a bug: please report it)`

/** Command names and summaries, one a line, the summaries aligned. */
function listing(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.join(' ').length))
  return commands.map((c) => `  ${c.name.join(' ').padEnd(width)}  ${c.summary}`).join('\n')
}

/** The commands of a group (the first word they share), in the order of `COMMANDS`. */
function members(group: string): readonly Command[] {
  return COMMANDS.filter((c) => c.name.length > 1 && c.name[0] === group)
}

/** The group names, in the order their first command comes in `COMMANDS`. */
const GROUPS = [...new Set(COMMANDS.filter((c) => c.name.length > 1).map((c) => c.name[0]))]

function mainHelp(): string {
  return `barid: the Barid operator's tool (federation, operator PKI, trust lists, evidence)

Usage: barid <command> [options]
       barid <command> --help
       barid <group> --help     a group's commands (${GROUPS.join(', ')})
       barid --version

Commands:
${listing(COMMANDS)}

${EXIT_HELP}
`
}

function groupHelp(group: string): string {
  return `Usage: barid ${group} <command> [options]
       barid ${group} <command> --help

Commands:
${listing(members(group))}

${EXIT_HELP}
`
}

function commandHelp(c: Command): string {
  return `${c.help.trim()}\n\n${COMMON_HELP}\n\n${EXIT_HELP}\n`
}

function find(args: readonly string[]): { command: Command; rest: readonly string[] } | undefined {
  let best: Command | undefined
  for (const c of COMMANDS) {
    if (
      c.name.every((w, i) => args[i] === w) &&
      (best === undefined || c.name.length > best.name.length)
    )
      best = c
  }
  return best === undefined ? undefined : { command: best, rest: args.slice(best.name.length) }
}

/**
 * Runs `barid` with `args` and returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(['trust-list', 'verify', 'list.cose', '--governance-key', 'gov.jwk'], io)
 * ```
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const line = (w: (s: string) => void) => (s: string) => w(`${s}\n`)
  if (args[0] === '--version') return version(io)
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    const target = args[0] === 'help' ? args.slice(1) : []
    const command = find(target)?.command
    io.stdout(
      command !== undefined
        ? commandHelp(command)
        : members(target[0] ?? '').length > 0
          ? groupHelp(target[0] as string)
          : mainHelp(),
    )
    return args.length === 0 ? EXIT.usage : EXIT.ok
  }
  const found = find(args)
  if (found === undefined) {
    const group = members(args[0] as string).length > 0 ? (args[0] as string) : undefined
    // A group name with no subcommand: its commands, as help (0) or as a usage error (2).
    if (group !== undefined && args.slice(1).every((a) => a.startsWith('-'))) {
      const help = args.includes('--help') || args.includes('-h')
      ;(help ? io.stdout : io.stderr)(groupHelp(group))
      return help ? EXIT.ok : EXIT.usage
    }
    const named = args.filter((a) => !a.startsWith('-')).slice(0, 2)
    const hint = group === undefined ? 'barid --help' : `barid ${group} --help`
    io.stderr(`barid: unknown command "${named.join(' ')}"; see ${hint}\n`)
    return EXIT.usage
  }
  const { command, rest } = found
  const json = rest.includes('--json')
  try {
    const { values, positionals } = parseCommandArgs(command, rest)
    if (values.help === true) {
      io.stdout(commandHelp(command))
      return EXIT.ok
    }
    const expected = command.positionals ?? []
    if (positionals.length !== expected.length) {
      throw new UsageError(
        expected.length === 0
          ? 'this command takes no arguments'
          : `expected ${expected.map((p) => p.toUpperCase()).join(' ')}`,
      )
    }
    const ctx: Context = {
      out: line(io.stdout),
      err: line(io.stderr),
      cwd: io.cwd,
      now:
        typeof values.now === 'string'
          ? parseTime(values.now, 'now')
          : Math.floor(Date.now() / 1000),
      json: values.json === true,
    }
    await command.run(ctx, values, positionals)
    return EXIT.ok
  } catch (e) {
    return report(e, command, json, io)
  }
}

async function version(io: CliIo): Promise<number> {
  try {
    io.stdout(`${await cliVersion()}\n`)
    return EXIT.ok
  } catch (e) {
    io.stderr(`barid: INTERNAL: cannot read the version: ${(e as Error).message}\n`)
    return EXIT.internal
  }
}

function report(e: unknown, command: Command, json: boolean, io: CliIo): number {
  const name = `barid ${command.name.join(' ')}`
  let exit: number
  let code: string
  let message: string
  if (e instanceof UsageError) {
    ;[exit, code, message] = [EXIT.usage, 'USAGE', `${e.message} (see ${name} --help)`]
  } else if (e instanceof FileError) {
    ;[exit, code, message] = [EXIT.file, 'FILE', e.message]
  } else if (e instanceof BaridError) {
    exit = e.code === 'ERR_INTERNAL' ? EXIT.internal : EXIT.refused
    ;[code, message] = [e.code, e.message]
  } else {
    ;[exit, code, message] = [
      EXIT.internal,
      'INTERNAL',
      `unexpected error: ${(e as Error)?.message ?? String(e)}`,
    ]
  }
  if (json) {
    const details = e instanceof BaridError && e.details !== undefined ? { details: e.details } : {}
    io.stdout(`${JSON.stringify({ ok: false, error: { code, message, ...details } })}\n`)
  }
  io.stderr(`${name}: ${code === 'USAGE' || code === 'FILE' ? '' : `${code}: `}${message}\n`)
  return exit
}
