/**
 * Shared vitest settings for every workspace package: the console reporter for people, and a
 * JSON report per package under .vitest-reports/ that .ci/run sums into its closing line.
 */
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))

export function packageConfig(packageDir: string, options: { testTimeout?: number; fileParallelism?: boolean } = {}) {
  const name = basename(dirname(packageDir)) + '-' + basename(packageDir)
  return {
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 60_000,
      hookTimeout: 60_000,
      fileParallelism: options.fileParallelism ?? true,
      passWithNoTests: false,
      reporters: ['default', 'json'],
      outputFile: { json: join(root, '.vitest-reports', `${name}.json`) },
    },
  }
}
