/**
 * @module command
 * What every `barid` command is: a name, help text, its options, and a `run` function that gets
 * parsed arguments and a context (output, working directory, the time). Options common to all
 * commands (`--help`, `--json`, `--now`) are added here, once.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from './errors.js'

/** Option definitions in `node:util` `parseArgs` form. */
export type Options = NonNullable<ParseArgsConfig['options']>

/** What a command receives besides its arguments. */
export interface Context {
  /** Writes a line to standard output. */
  out(line: string): void
  /** Writes a line to standard error. */
  err(line: string): void
  readonly cwd: string
  /** Unix seconds: `--now` when given, else the system clock. */
  readonly now: number
  /** `--json`: machine-readable output. */
  readonly json: boolean
}

/** Parsed values: strings, booleans, or arrays of strings for `multiple` options. */
export type Values = Record<string, string | boolean | string[] | undefined>

export interface Command {
  /** Words after `barid`, e.g. `['federation', 'init']`. */
  readonly name: readonly string[]
  readonly summary: string
  /** Help text body: usage line, description, options, examples. */
  readonly help: string
  readonly options: Options
  /** Names of positional arguments, all required. */
  readonly positionals?: readonly string[]
  run(ctx: Context, values: Values, positionals: readonly string[]): Promise<void>
}

export const COMMON_OPTIONS: Options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  now: { type: 'string' },
}

export const COMMON_HELP = `Common options:
  -h, --help        Show this help.
      --json        Print machine-readable JSON instead of text.
      --now TIME    Act as if it were TIME (ISO 8601 or Unix seconds). Default: the clock.`

/** Parses `args` for `command`; unknown options and missing positionals are usage errors. */
export function parseCommandArgs(
  command: Command,
  args: readonly string[],
): { values: Values; positionals: string[] } {
  let parsed
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    })
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0] ?? 'invalid arguments')
  }
  return { values: parsed.values as Values, positionals: parsed.positionals }
}

/** Parses a time given as ISO 8601 (with a zone) or as Unix seconds. */
export function parseTime(value: string, option: string): number {
  if (/^\d{1,12}$/.test(value)) return Number(value)
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value)) {
    throw new UsageError(
      `--${option} must be ISO 8601 with a time zone (e.g. 2026-01-01T00:00:00Z) or Unix seconds`,
    )
  }
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)
  if (Number.isNaN(ms)) throw new UsageError(`--${option} is not a valid time`)
  return Math.floor(ms / 1000)
}

/** A required string option. */
export function required(values: Values, name: string): string {
  const v = values[name]
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`--${name} is required`)
  return v
}

/** An optional string option. */
export function optional(values: Values, name: string): string | undefined {
  const v = values[name]
  return typeof v === 'string' ? v : undefined
}

/** A repeatable string option (always an array). */
export function many(values: Values, name: string): string[] {
  const v = values[name]
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : []
}

/** A positive integer option with a default and an upper bound. */
export function integer(values: Values, name: string, fallback: number, max: number): number {
  const v = values[name]
  if (v === undefined) return fallback
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) {
    throw new UsageError(`--${name} must be an integer from 1 to ${max}`)
  }
  return Number(v)
}

/** ISO 8601 text of Unix seconds, for output. */
export function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
}
