import bidiFactory from 'bidi-js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SMS_MAX_UNITS, emailChannel, smsChannel, type Notification } from './channel.js'

const base: Notification = {
  id: '7',
  channel: 'email',
  contact: 'amina@example.eg',
  mailbox: 'p1@post.eg',
  letterId: '01972ab8-2280-7303-8303-030303030303',
  sender: 'tax@post.eg',
  title: null,
  category: 'service-of-process',
  receivedAt: Date.parse('2026-03-01T09:30:00Z'),
  // 23:30 UTC on 28 March is already 29 March in Cairo and Copenhagen.
  replyBy: Date.parse('2026-03-28T23:30:00Z'),
  link: 'https://barid.post.eg/v1/citizen/letters/01972ab8-2280-7303-8303-030303030303',
  lang: 'ar',
  languages: ['ar', 'en'],
  timeZone: 'Africa/Cairo',
}

const danish: Notification = {
  ...base,
  contact: 'lars@example.dk',
  sender: 'skat@digitalpost.dk',
  category: 'proof-of-receipt',
  lang: 'da',
  link: 'https://barid.digitalpost.dk/v1/citizen/letters/01972ab8-2280-7303-8303-030303030303',
  languages: ['da', 'en'],
  timeZone: 'Europe/Copenhagen',
}

async function email(n: Notification) {
  const sent: { to: string; subject: string; text: string }[] = []
  await emailChannel({ send: async (m) => void sent.push(m) }).send(n)
  return sent[0]!
}

async function sms(n: Notification) {
  const sent: { to: string; text: string }[] = []
  await smsChannel({ send: async (m) => void sent.push(m) }).send(n)
  return sent[0]!.text
}

const bidi = bidiFactory()
/** What a reader sees, left to right, with the isolate marks (invisible) left out. */
const visual = (line: string): string =>
  bidi.getReorderedString(line, bidi.getEmbeddingLevels(line)).replace(/[\u2066-\u2069]/g, '')

const isolated = (s: string): string => `\u2068${s}\u2069`

describe('the e-mail and SMS notification texts', () => {
  it('are in the operator language: Arabic at Egypt Post, Danish at Digital Post', async () => {
    const ar = await email(base)
    expect(ar.subject).toBe(`رسالة مسجلة جديدة من ${isolated('tax@post.eg')}`)
    expect(ar.text).toContain(`وصلك إعلان قضائي جديد برسالة مسجلة من ${isolated('tax@post.eg')}.`)
    expect(ar.text).toContain('اقرأها في صندوق بريدك الرقمي: https://barid.post.eg/')
    const da = await email(danish)
    expect(da.subject).toBe(`Nyt rekommanderet brev fra ${isolated('skat@digitalpost.dk')}`)
    expect(da.text).toContain('Du har fået et nyt rekommanderet brev med modtagelsesbevis fra')
    expect(da.text).toContain('Læs det i din digitale postkasse: https://barid.digitalpost.dk/')
    expect(await sms({ ...danish, category: null })).toMatch(/^Du har fået et nyt brev fra /)
    const en = await email({ ...base, languages: ['de', 'en'], category: 'registered' })
    expect(en.subject).toBe(`New registered letter from ${isolated('tax@post.eg')}`)
  })

  it('follow the letter language when the operator serves it, else the operator first language', async () => {
    // An English letter at Egypt Post, and one tagged en-GB: English, which Egypt Post serves.
    expect((await email({ ...base, lang: 'en' })).subject).toBe(
      `New registered letter from ${isolated('tax@post.eg')}`,
    )
    expect(await sms({ ...base, lang: 'en-GB', category: null })).toMatch(/^You have a new letter/)
    // An Arabic letter to a resident of Denmark: Digital Post serves Danish and English only.
    expect((await email({ ...danish, lang: 'ar' })).subject).toMatch(/^Nyt rekommanderet brev/)
    // A letter in a language neither operator serves, or stored before its language was kept.
    expect((await email({ ...base, lang: 'de' })).subject).toMatch(/^رسالة مسجلة/)
    expect((await email({ ...danish, lang: null })).subject).toMatch(/^Nyt rekommanderet brev/)
  })

  it('give the reply-by day in the operator time zone', async () => {
    expect((await email(base)).text).toContain(`آخر موعد للرد: ${isolated('2026-03-29')}`)
    expect((await email(danish)).text).toContain(`Svarfrist: ${isolated('2026-03-29')}`)
    const utc = await email({ ...danish, languages: ['en'], timeZone: 'UTC' })
    expect(utc.text).toContain(`Reply by: ${isolated('2026-03-28')}`)
  })

  it('keep a Latin title and a sender with digits in their order inside an Arabic sentence', async () => {
    const n = { ...base, sender: '12-34@post.eg', title: 'Tax notice!' }
    const lines = (await email(n)).text.split('\n').filter((l) => l !== '')
    expect(visual(lines[0]!)).toContain('12-34@post.eg')
    expect(visual(lines[1]!)).toContain('Tax notice!')
    // And an Arabic title ending in a mark inside a Danish sentence.
    const da = (await email({ ...danish, title: 'إخطار 2026!' })).text.split('\n')
    expect(visual(da.find((l) => l.startsWith('Titel'))!)).toBe('Titel: !2026 راطخإ')
  })

  it('fit a short message without cutting its link or a character in two, whatever the title and sender name', async () => {
    const wellFormed = /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 400 }).filter((s) => wellFormed.test(s)),
        // A registered sender name: up to 200 code points (spec 15.5), 400 units if astral.
        fc.option(
          fc.oneof(
            fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
            fc.nat({ max: 200 }).map((n) => '\u{13080}'.repeat(n + 1)),
          ),
          { nil: undefined },
        ),
        fc.constantFrom(base, danish),
        async (title, senderName, n) => {
          const text = await sms({ ...n, title, senderName })
          expect(text.length).toBeLessThanOrEqual(SMS_MAX_UNITS)
          expect(text.endsWith(n.link)).toBe(true)
          expect(wellFormed.test(text)).toBe(true)
        },
      ),
      { numRuns: 200 },
    )
  })
})
