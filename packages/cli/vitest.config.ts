import { fileURLToPath } from 'node:url'
import { packageConfig } from '../../vitest.shared.js'

export default packageConfig(fileURLToPath(new URL('.', import.meta.url)))
