/**
 * Every relative link in the repository's Markdown (READMEs, spec, conformance) points at a file
 * or folder that exists, and a `#fragment` into a Markdown file at one of its headings, named as
 * GitHub names them. A newcomer follows these links first; spec-references.test.ts checks the
 * spec's own `section N.M` references.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))
// Installed, built or generated: not the repository's own documents.
const SKIP = new Set([
  ...['node_modules', 'dist', '.git', '.data', 'coverage', '.vitest-reports', '.bench-tmp'],
  'conformance-report',
])

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name) || e.name.startsWith('.quick-start-')) return []
    const path = join(dir, e.name)
    if (e.isDirectory()) return markdownFiles(path)
    return e.name.endsWith('.md') ? [path] : []
  })
}

/** The text outside fenced code blocks, where a `](...)` is a link. */
const prose = (text: string) => text.replace(/```[\s\S]*?```/g, '')

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/_/g, '')
    .replace(/ /g, '-')
}

function anchors(file: string): Set<string> {
  return new Set(
    [...prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.*)$/gm)].map((m) => slug(m[1]!)),
  )
}

/** The broken relative links of one file, as `target: why`. */
function brokenLinks(file: string, text: string): string[] {
  const broken: string[] = []
  for (const m of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
    const link = m[1]!
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue
    const [path, fragment] = link.split('#') as [string, string | undefined]
    const target = path ? join(dirname(file), decodeURIComponent(path)) : file
    if (!existsSync(target)) broken.push(`${link}: no such file`)
    else if (fragment && statSync(target).isFile() && target.endsWith('.md')) {
      if (!anchors(target).has(fragment)) broken.push(`${link}: no heading #${fragment}`)
    }
  }
  return broken
}

describe('links in the Markdown documents', () => {
  it('finds the READMEs a newcomer reads first', () => {
    const files = markdownFiles(REPO).map((f) => relative(REPO, f))
    for (const f of ['README.md', 'examples/README.md', 'packages/client/README.md'])
      expect(files).toContain(f)
  })

  it('name files, folders and headings that exist', () => {
    const broken = markdownFiles(REPO).flatMap((f) =>
      brokenLinks(f, readFileSync(f, 'utf8')).map((b) => `${relative(REPO, f)}: ${b}`),
    )
    expect(broken).toEqual([])
  })

  it('are told apart from broken ones by the checker', () => {
    const readme = join(REPO, 'README.md')
    expect(
      brokenLinks(
        readme,
        [
          '[ok](examples/README.md#run-them) [ok](nodes/node) [web](https://example.org/x)',
          '[gone](examples/READ-ME.md) [no heading](examples/README.md#run-it)',
          '```sh\n[in code](nowhere.md)\n```',
        ].join('\n'),
      ),
    ).toEqual(['examples/READ-ME.md: no such file', 'examples/README.md#run-it: no heading #run-it'])
  })
})
