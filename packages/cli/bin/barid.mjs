#!/usr/bin/env node
// Runs the TypeScript entry point through tsx's loader, so the CLI needs no build step.
let tsx
try {
  tsx = await import('tsx/esm/api')
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e
  // A clone not installed yet: one line saying what to do, not Node's resolver stack.
  process.stderr.write(
    'barid: cannot load tsx, which runs the CLI from its TypeScript sources: the workspace is ' +
      'not installed; run npm run bootstrap at the root of the repository first\n',
  )
  process.exit(3)
}

tsx.register()
await import('../src/main.ts')
