/**
 * drizzle-kit configuration: `npx drizzle-kit generate` writes SQL migrations for
 * src/storage/schema.ts into ./drizzle (committed; applied at start by the SQLite storage).
 */
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/storage/schema.ts',
  out: './drizzle',
})
