/**
 * @module @barid/cli
 * The operator's tool as a library: `runCli` runs one `barid` command line in-process (the
 * reference node's demo and tests drive a federation with it), with its exit codes.
 */
export { runCli } from './cli.js'
export type { CliIo } from './cli.js'
export { EXIT } from './exit-codes.js'
