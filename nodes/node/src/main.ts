/**
 * @module main
 * `barid-node`: starts one node from an operator profile, or backs up a node's data.
 *
 *   tsx src/main.ts --profile ../denmark [--config node.json]
 *   tsx src/main.ts backup --profile ../denmark [--config node.json] --to /var/backups/barid/x
 *
 * Environment variables override the config file (see config/settings.ts and spec 15.1).
 * SIGINT and SIGTERM stop the node gracefully; SIGHUP reloads the node keys from the operator
 * directory (after `barid operator rotate-node`, spec 21.4).
 */
import { parseArgs } from 'node:util'
import { loadConfig } from './config/config.js'
import { settingsHelp } from './config/settings.js'
import { BaridError, isBaridError } from './core.js'
import { startNode, type RunningNode } from './node.js'
import { backupNode } from './ops/backup.js'

const USAGE =
  'usage: barid-node [start] --profile <profile folder or profile.json> [--config <file>]\n' +
  '       barid-node backup --profile <...> [--config <file>] --to <empty directory>\n'

/** What `--help` adds to the usage: the settings the node reads (config/settings.ts). */
const HELP_SETTINGS =
  'Settings (spec 15.1), each in a JSON config file (--config node.json, or BARID_CONFIG; a\n' +
  'dotted path is nested objects: {"trust": {"listFile": "..."}}) or in the environment\n' +
  'variable named after it, which overrides the file; unset, it takes its default:\n' +
  `${settingsHelp()}\n\n` +
  "A profile's start.sh also reads BARID_COMPILED: 1 runs the compiled build (pnpm build in\n" +
  'nodes/node) with plain Node.\n'

/** A wrong command line: what is wrong on one line, then the usage; exit 2. */
function usageError(problem: string): never {
  process.stderr.write(`barid-node: ${problem}\n${USAGE}`)
  process.exit(2)
}

/** parseArgs' refusal in a few words (its own message is a paragraph, or several lines). */
function argProblem(e: unknown): string {
  const code = (e as { code?: unknown }).code
  const message = e instanceof Error ? e.message : String(e)
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? ''
  const option = quoted.match(/--?[A-Za-z][\w-]*/g)?.at(-1) ?? quoted
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
    return message.includes('does not take an argument')
      ? `option ${option} takes no value`
      : `option ${option} needs a value`
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return 'unexpected argument'
  throw e
}

let parsed: {
  values: { profile?: string; config?: string; to?: string; help?: boolean }
  positionals: string[]
}
try {
  parsed = parseArgs({
    options: {
      profile: { type: 'string' },
      config: { type: 'string' },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  })
} catch (e) {
  usageError(argProblem(e))
}
const { values, positionals } = parsed
if (values.help) {
  process.stdout.write(`${USAGE}\n${HELP_SETTINGS}\n`)
  process.exit(0)
}
const command = positionals[0] ?? 'start'
if (!['start', 'backup'].includes(command)) usageError(`unknown command ${command}`)
if (positionals.length > 1) usageError(`unexpected argument ${positionals[1]}`)
let node: RunningNode
try {
  const config = await loadConfig({
    profile: values.profile,
    configFile: values.config,
    env: process.env,
  })
  if (command === 'backup') {
    if (!values.to) throw new BaridError('ERR_INVALID_ARGUMENT', 'backup needs --to <directory>')
    const m = await backupNode(config, values.to, (step) => process.stderr.write(`${step}\n`))
    const line = `${JSON.stringify({ to: values.to, ...m, files: m.files.length })}\n`
    await new Promise((r) => process.stdout.write(line, r))
    process.exit(0)
  }
  node = await startNode(config)
} catch (e) {
  // A refusal to start (bad settings, a data directory of another operator, a port in use) or
  // to back up (a target not writable, a disk full, no database) is the operator's to fix: one
  // line, not a stack trace. Anything else is a bug, and keeps its stack.
  const system = e instanceof Error && ('syscall' in e || e.name === 'SqliteError')
  if (!isBaridError(e) && !system) throw e
  const code = (e as { code?: unknown }).code
  // The port taken is mostly a node (or `npm start`'s demo) still running: say what to do.
  const hint =
    code === 'EADDRINUSE'
      ? '; another process listens there (another node, or the demo of npm start): stop it, ' +
        'or set another port (BARID_PORT, or port in the config file)'
      : ''
  const why = `${(e as Error).message} (${String(code)})${hint}`
  process.stderr.write(`barid-node: cannot ${command}: ${why}\n`)
  process.exit(1)
}
// What `pidof barid-node` and `pgrep -x barid-node` find, under tsx or compiled alike; set once
// started, so that a backup (which SIGHUP would end) is never among them.
process.title = 'barid-node'
// Spec 21.4: after `barid operator rotate-node`, SIGHUP makes the node read its keys again.
process.on('SIGHUP', () => {
  void node.services.trust.reloadNodeKeys({ force: true }).catch(() => undefined)
})
let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1)
    stopping = true
    void node.stop().then(() => process.exit(0))
  })
}
