import { fileURLToPath } from 'node:url'
import { packageConfig } from '../vitest.shared.js'

// The integration tests start real nodes as processes: one file at a time, with time to do it.
export default packageConfig(fileURLToPath(new URL('.', import.meta.url)), {
  testTimeout: 240_000,
  fileParallelism: false,
})
