/** Reads a committed vector file from spec/vectors/ (test-only helper, Node). */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const VECTORS_DIR = fileURLToPath(new URL('../../../spec/vectors/', import.meta.url))

export function readVectors(name: string): unknown {
  return JSON.parse(readFileSync(`${VECTORS_DIR}${name}.json`, 'utf8'))
}
