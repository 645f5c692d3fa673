/**
 * @module ops/logger
 * JSON-lines logging. One object per line with `time`, `level`, `msg` and structured fields
 * (request id, operator, letter id, codes, durations). The node never logs secrets, tokens,
 * identifiers in clear, letter bytes or attachment bytes: call sites pass only such fields.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export type LogFields = Record<string, string | number | boolean | null | undefined>

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger
}

export interface LoggerOptions {
  level: LogLevel
  /** Where lines go; stdout by default. */
  write?: (line: string) => void
  now?: () => Date
}

/**
 * @example
 * ```ts
 * const log = createLogger({ level: 'info' }).child({ node: 'post.eg' })
 * log.info('letter accepted', { letterId, reqId })
 * ```
 */
export function createLogger(opts: LoggerOptions, base: LogFields = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stdout.write(line + '\n'))
  const now = opts.now ?? (() => new Date())
  const min = ORDER[opts.level]
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return
    write(JSON.stringify({ time: now().toISOString(), level, msg, ...base, ...fields }))
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(opts, { ...base, ...fields }),
  }
}
