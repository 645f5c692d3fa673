/**
 * @module checks/malformed-names
 * `senderDisplay` members (spec 11.4) of the wrong form, for checks that a receiver refuses them:
 * a fixed list, one of each rule, and a fast-check arbitrary that breaks one rule at a time in
 * otherwise well-formed names. Core's parser only keeps the generator honest (every value it
 * gives is malformed on the wire); the node under test is judged by its answer alone.
 */
import { parseSenderDisplay } from '@barid/core'
import fc from 'fast-check'

const NAME = 'Conformance Authority'

/** Seventeen distinct tags: one more name than 11.4 allows. */
const SEVENTEEN = Object.fromEntries(
  Array.from({ length: 17 }, (_, i) => [`l${String.fromCharCode(97 + i)}`, NAME]),
)

/** One `senderDisplay` of the wrong form per rule of 11.4, each with what is wrong with it. */
export const MALFORMED_DISPLAYS: readonly (readonly [string, unknown])[] = [
  ['null', null],
  ['a string', NAME],
  ['an array', [NAME]],
  ['no names', { name: NAME }],
  ['no name', { names: {} }],
  ['an unknown member', { name: NAME, names: {}, logo: 'x' }],
  ['an empty name', { name: '', names: {} }],
  ['a name of 201 code points', { name: '\u{13080}'.repeat(201), names: {} }],
  ['a C0 control in the name', { name: 'Tax\u0007Authority', names: {} }],
  ['DEL in a name', { name: NAME, names: { en: 'Tax\u007fAuthority' } }],
  ['a C1 control in a name', { name: NAME, names: { en: 'Tax\u0085Authority' } }],
  ['a line separator in a name', { name: NAME, names: { en: 'Tax\u2028Authority' } }],
  ['a lone surrogate in the name', { name: 'Tax \ud800', names: {} }],
  ['a name that is not a string', { name: 42, names: {} }],
  ['names that are an array', { name: NAME, names: [NAME] }],
  ['a name per language that is not a string', { name: NAME, names: { en: null } }],
  ['a key that is not a BCP 47 tag', { name: NAME, names: { 'not a tag': NAME } }],
  ['two tags equal but for case', { name: NAME, names: { en: 'One', EN: 'Two' } }],
  ['seventeen names', { name: NAME, names: SEVENTEEN }],
]

/** Whether `v`, as it arrives after JSON, breaks a rule of 11.4. */
export function malformedOnTheWire(v: unknown): boolean {
  try {
    parseSenderDisplay(JSON.parse(JSON.stringify(v)))
    return false
  } catch {
    return true
  }
}

// Printable ASCII (fast-check's default unit): no control character can slip in.
const goodName = fc.string({ minLength: 1, maxLength: 24 })
const goodTag = fc.constantFrom('ar', 'da', 'en', 'en-GB', 'fr', 'de-CH', 'sr-Latn', 'zh-Hant-TW')
const goodNames = fc.dictionary(goodTag, goodName, { maxKeys: 4 })
const CONTROLS = ['\u0000', '\t', '\n', '\u001f', '\u007f', '\u0085', '\u009f', '\u2028', '\u2029']

const badName = fc.oneof(
  fc.constant(''),
  fc
    .tuple(goodName, fc.constantFrom(...CONTROLS), goodName)
    .map(([a, c, b]) => `${a}${c}${b}`),
  fc.integer({ min: 201, max: 320 }).map((n) => 'x'.repeat(n)),
  fc.tuple(goodName, fc.constantFrom('\ud800', '\udfff')).map(([a, s]) => `${a}${s}`),
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(goodName, { maxLength: 2 })),
)
const badTag = fc.constantFrom(
  '',
  'e',
  'en_GB',
  '12',
  'en-',
  '-en',
  'english language',
  'abcdefghi',
  'en-GB-toolongsubtag',
  'é',
)

/**
 * A `senderDisplay` that breaks one rule of 11.4 (or is not an object at all), the rest of it
 * well-formed.
 *
 * @example
 * ```ts
 * fc.asyncProperty(malformedDisplay(), async (senderDisplay) => { … })
 * ```
 */
export function malformedDisplay(): fc.Arbitrary<unknown> {
  const member = fc.string({ minLength: 1, maxLength: 10 })
  return fc
    .oneof(
      fc.record({ name: badName, names: goodNames }),
      fc
        .record({ name: goodName, names: goodNames, tag: goodTag, bad: badName })
        .map(({ name, names, tag, bad }) => ({ name, names: { ...names, [tag]: bad } })),
      fc
        .record({ name: goodName, names: goodNames, tag: badTag, n: goodName })
        .map(({ name, names, tag, n }) => ({ name, names: { ...names, [tag]: n } })),
      fc
        .record({ name: goodName, tag: fc.constantFrom('ar', 'da', 'en-gb', 'sr-latn') })
        .map(({ name, tag }) => ({ name, names: { [tag]: name, [tag.toUpperCase()]: name } })),
      fc
        .record({
          name: goodName,
          tags: fc.uniqueArray(fc.stringMatching(/^[a-z]{2,3}$/), { minLength: 17, maxLength: 24 }),
        })
        .map(({ name, tags }) => ({ name, names: Object.fromEntries(tags.map((t) => [t, name])) })),
      fc
        .record({ name: goodName, names: goodNames, key: member, value: fc.jsonValue() })
        .filter(({ key }) => key !== 'name' && key !== 'names' && key !== '__proto__')
        .map(({ name, names, key, value }) => ({ name, names, [key]: value })),
      fc.oneof(
        goodName.map((name) => ({ name })),
        goodNames.map((names) => ({ names })),
      ),
      fc.oneof(goodName, fc.integer(), fc.boolean(), fc.constant(null), fc.array(goodName)),
    )
    .filter(malformedOnTheWire)
}
