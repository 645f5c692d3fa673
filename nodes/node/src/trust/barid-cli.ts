/**
 * @module trust/barid-cli
 * The operator's command-line tool (`barid`, packages/cli) run in-process: the node, its demo
 * and its tests make federations, operators and revocation lists with exactly the commands an
 * operator's staff run (spec 21.2), so there is one implementation of each step. Output is read
 * in the CLI's `--json` form.
 *
 * The CLI is imported by path because this package does not declare `@barid/cli` as a
 * dependency yet; when it does, only this import changes.
 */
import { BaridError, isBaridErrorCode } from '../core.js'
import { runCli } from '@barid/cli'

/** What a `barid … --json` command printed on success. */
export type CliResult = Record<string, unknown> & { ok: true }

/**
 * Runs `barid <args> --json` and returns its JSON answer. A refusal (exit code 1) throws the
 * BaridError it names; a usage or file error throws `ERR_INVALID_ARGUMENT` with the CLI's message
 * (which never contains key material).
 *
 * @example
 * ```ts
 * const r = await barid(['federation', 'init', '--name', 'dev', '--dir', dir])
 * r.governanceKid // the governance key id
 * ```
 */
export async function barid(args: readonly string[], o: { cwd?: string } = {}): Promise<CliResult> {
  let out = ''
  let err = ''
  const code = await runCli([...args, '--json'], {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    cwd: o.cwd ?? process.cwd(),
  })
  const last = out.trim().split('\n').at(-1) ?? ''
  let answer: { ok?: unknown; error?: { code?: unknown; message?: unknown } } = {}
  try {
    answer = JSON.parse(last) as typeof answer
  } catch {
    // no JSON: reported below with stderr
  }
  if (code === 0 && answer.ok === true) return answer as CliResult
  const errCode = answer.error?.code
  const message = `barid ${args.slice(0, 2).join(' ')}: ${
    typeof answer.error?.message === 'string' ? answer.error.message : err.trim().slice(0, 300)
  }`
  throw new BaridError(isBaridErrorCode(errCode) ? errCode : 'ERR_INVALID_ARGUMENT', message)
}
