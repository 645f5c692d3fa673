/**
 * @module cli-capture
 * Test support: runs the CLI in-process in a directory and captures what it prints, with the
 * last line of standard output parsed as JSON when it is JSON (the `--json` answers).
 */
import { runCli } from './cli.js'

/** What one run printed and answered. */
export interface CapturedRun {
  code: number
  stdout: string
  stderr: string
  /** The last stdout line as JSON, or `{}` for text output. */
  json: Record<string, unknown>
}

/**
 * @example
 * ```ts
 * const r = await runCaptured(['federation', 'status', '--json'], dir)
 * expect(r.code).toBe(0)
 * ```
 */
export async function runCaptured(args: string[], cwd: string): Promise<CapturedRun> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    cwd,
  })
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>
  } catch {
    // text output
  }
  return { code, stdout, stderr, json }
}
