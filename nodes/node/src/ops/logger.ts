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
  return new JsonLogger(
    {
      write: opts.write ?? ((line: string) => process.stdout.write(line + '\n')),
      now: opts.now ?? (() => new Date()),
      min: ORDER[opts.level],
    },
    base,
  )
}

interface Sink {
  write(line: string): void
  now(): Date
  min: number
}

// A class, not closures: every request makes child loggers, and a child is then one object
// over a shared sink (closures were five functions per child, seen in the node's profiles).
class JsonLogger implements Logger {
  constructor(
    private readonly sink: Sink,
    private readonly base: LogFields,
  ) {}

  private emit(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void {
    if (ORDER[level] < this.sink.min) return
    const line = { time: this.sink.now().toISOString(), level, msg, ...this.base, ...fields }
    this.sink.write(JSON.stringify(line))
  }

  debug(msg: string, fields?: LogFields): void {
    this.emit('debug', msg, fields)
  }

  info(msg: string, fields?: LogFields): void {
    this.emit('info', msg, fields)
  }

  warn(msg: string, fields?: LogFields): void {
    this.emit('warn', msg, fields)
  }

  error(msg: string, fields?: LogFields): void {
    this.emit('error', msg, fields)
  }

  child(fields: LogFields): Logger {
    return new JsonLogger(this.sink, { ...this.base, ...fields })
  }
}
