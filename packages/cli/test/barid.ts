/** Runs the real `barid` CLI as a subprocess (test helper). */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../bin/barid.mjs', import.meta.url))

export interface Run {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON, when `--json` was given. */
  json: Record<string, unknown>
}

export function barid(args: readonly string[], cwd: string, bin = BIN): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, timeout: 60_000, env: { ...process.env, NODE_NO_WARNINGS: '1' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        let json: Record<string, unknown> = {}
        try {
          json = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>
        } catch {
          json = {}
        }
        resolve({ code, stdout, stderr, json })
      },
    )
  })
}
