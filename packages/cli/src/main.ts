/**
 * @module main
 * Process entry point of `barid`: runs the CLI with the real process streams and sets the exit
 * code. All behaviour lives in `cli.ts`, which tests drive as a subprocess.
 */
import { runCli } from './cli.js'

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  cwd: process.cwd(),
})
