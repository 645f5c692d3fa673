// Prints the node's settings table for the README (`src/config/settings.ts`).
import { settingsTable } from '../src/config/settings.js'

process.stdout.write(`${settingsTable()}\n`)
