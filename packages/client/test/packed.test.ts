/**
 * What an integrator installs: `@barid/core` and `@barid/client` packed as they would be
 * published (`pnpm pack`: built to JavaScript with type declarations, `exports` pointing at the
 * build, the workspace version written in), unpacked into a fresh project, and used from a plain
 * `.mjs` file by Node without TypeScript tooling: keys made, a letter sealed and opened.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const PACKAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The integrator's script: only the packages' public entry points. */
const SCRIPT = `
import { generatePartyKeys } from '@barid/client'
import { openLetter, sealLetter } from '@barid/core'

const agency = await generatePartyKeys()
const resident = await generatePartyKeys()
const sealed = await sealLetter({
  sender: {
    address: 'tax@post.eg',
    signingKey: agency.signing.privateKey,
    kid: agency.signing.kid,
    encryptionKey: { publicKey: agency.encryption.publicKey, kid: agency.encryption.kid },
  },
  recipients: [
    {
      address: 'lars@digitalpost.dk',
      keys: [{ publicKey: resident.encryption.publicKey, kid: resident.encryption.kid }],
    },
  ],
  kind: 'letter',
  contentType: 'text/plain; charset=utf-8',
  lang: 'da',
  subject: 'Årsopgørelse',
  body: new TextEncoder().encode('Hej Lars'),
  attachments: [],
})
const opened = await openLetter(sealed.bytes, {
  key: { privateKey: resident.encryption.privateKey, kid: resident.encryption.kid },
  address: 'lars@digitalpost.dk',
  resolveSenderKey: async () => agency.signing.publicKey,
})
const body = new TextDecoder().decode(opened.body)
console.log(JSON.stringify({ subject: opened.subject, body }))
`

describe('the packed packages', () => {
  let dir: string | undefined
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('install from their tarballs and run in plain Node: a letter sealed and opened', async () => {
    dir = await mkdtemp(join(tmpdir(), 'barid-packed-'))
    const modules = join(dir, 'node_modules')
    await mkdir(join(modules, '@barid'), { recursive: true })
    for (const name of ['core', 'client']) {
      // `pnpm pack` runs the package's prepack (the build) and applies its publishConfig.
      execFileSync('pnpm', ['pack', '--pack-destination', dir], {
        cwd: join(PACKAGES, name),
        stdio: 'pipe',
      })
      const into = join(modules, '@barid', name)
      await mkdir(into)
      const tarball = join(dir, `barid-${name}-0.1.0.tgz`)
      execFileSync('tar', ['xzf', tarball, '-C', into, '--strip-components=1'])
      const manifest = JSON.parse(await readFile(join(into, 'package.json'), 'utf8')) as {
        exports: Record<string, { import: string }>
        dependencies: Record<string, string>
      }
      expect(manifest.exports['.']?.import).toBe('./dist/index.js')
      // Third-party dependencies from the workspace's install (no registry here).
      for (const dep of Object.keys(manifest.dependencies)) {
        if (dep.startsWith('@barid/')) continue
        const target = join(modules, dep)
        await mkdir(dirname(target), { recursive: true })
        await symlink(await realpath(join(PACKAGES, name, 'node_modules', dep)), target).catch(
          (e: NodeJS.ErrnoException) => {
            if (e.code !== 'EEXIST') throw e
          },
        )
      }
    }
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }))
    await writeFile(join(dir, 'integrator.mjs'), SCRIPT)
    const out = execFileSync(process.execPath, ['integrator.mjs'], { cwd: dir, encoding: 'utf8' })
    expect(JSON.parse(out.trim())).toEqual({ subject: 'Årsopgørelse', body: 'Hej Lars' })
  }, 120_000)
})
