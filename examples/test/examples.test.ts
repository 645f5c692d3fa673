import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { admin, startLocalFederation, type LocalFederation } from './local-federation.js'

const EXAMPLES = fileURLToPath(new URL('../', import.meta.url))

/** Runs an example as its README says, as a separate process. */
function example(script: string, args: string[]) {
  let out = ''
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: EXAMPLES,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout.on('data', (d) => (out += String(d)))
  child.stderr.on('data', (d) => (out += String(d)))
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  return {
    output: () => out,
    exited,
    /** Resolves when the output contains `text`. */
    async printed(text: string, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs
      while (!out.includes(text)) {
        if (child.exitCode !== null)
          throw new Error(`${script} exited ${child.exitCode} before printing "${text}":\n${out}`)
        if (Date.now() > end) throw new Error(`${script} did not print "${text}":\n${out}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    kill: () => child.kill('SIGKILL'),
  }
}

let fed: LocalFederation

beforeAll(async () => {
  fed = await startLocalFederation()
  await admin(fed.dk, 'POST', '/v1/admin/mailboxes', {
    address: 'lars.jensen',
    identifier: 'dk:cpr:0101901234',
    kind: 'person',
    displayName: 'Lars Jensen',
  })
}, 60_000)

afterAll(async () => {
  await fed?.close()
})

describe('examples against two real nodes', () => {
  it("an Egyptian agency sends a registered PDF letter that a Danish citizen's device opens by push, and the agency prints the verified evidence trail", async () => {
    const keysFile = join(fed.dir, 'lars-phone.json')
    const citizen = example('citizen-inbox.ts', [
      '--node',
      fed.dk.url,
      '--identifier',
      'dk:cpr:0101901234',
      '--keys',
      keysFile,
      '--governance-key',
      fed.governanceKeyFile,
      '--count',
      '1',
      '--timeout',
      '45',
    ])
    try {
      await citizen.printed('listening for new letters')
      const agency = example('agency-send.ts', [
        '--node',
        fed.eg.url,
        '--admin-token',
        fed.eg.adminTokenFile,
        '--to',
        'dk:cpr:0101901234',
        '--governance-key',
        fed.governanceKeyFile,
        '--until',
        'retrieved',
        '--timeout',
        '40',
      ])
      const agencyCode = await agency.exited
      const citizenCode = await citizen.exited
      const sent = agency.output()
      const received = citizen.output()
      expect({ agencyCode, sent }).toMatchObject({ agencyCode: 0 })
      expect({ citizenCode, received }).toMatchObject({ citizenCode: 0 })

      expect(sent).toMatch(/directory: dk:cpr:0101901234 -> lars\.jensen@digitalpost\.dk/)
      expect(sent).toMatch(
        /evidence trail for lars\.jensen@digitalpost\.dk: 4 records, signatures and chain verified/,
      )
      // The state printed is the one the verified chain proves, and the node claims no other.
      expect(sent).toMatch(/chain verified, proving delivered/)
      expect(sent).not.toMatch(/the node claims/)
      const trail: [string, string][] = [
        ['submission-accepted', 'post\\.eg'],
        ['relay-accepted', 'digitalpost\\.dk'],
        ['delivered', 'digitalpost\\.dk'],
        ['retrieved', 'digitalpost\\.dk'],
      ]
      for (const [type, issuer] of trail)
        expect(sent).toMatch(new RegExp(`${type}\\s+by ${issuer}`))
      expect(sent).toMatch(/: delivered; evidence verified/)

      // The name the agency registered for the letter's language (English), beside its address.
      expect(received).toMatch(
        /push: new registered letter from Egyptian Tax Authority \(example\) <agency-[0-9a-f]+@post\.eg>/,
      )
      expect(received).toContain('"Tax assessment 2025"')
      expect(received).toMatch(
        /attachment assessment-2025\.pdf \(application\/pdf\): \d+ bytes decrypted and checked, starts %PDF-1\.4/,
      )
      expect(received).toContain('done: 1 pushed letter(s) opened')
    } finally {
      citizen.kill()
    }
  }, 60_000)
})
