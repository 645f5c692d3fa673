/**
 * Canonical CBOR (spec/02-canonical-cbor.md): encoding and strict decoding of the shapes the
 * hot paths make, an evidence record's payload (text keys, short text, bytes), a COSE
 * protected header (integer keys) and a letter's Sig_structure (a 1.2 KB byte string), beside cbor-x (a tuned general encoder and decoder, neither
 * deterministic nor strict) on the same values in the same run. The ratio is ours per cbor-x's:
 * what sorting keys, shortest forms and refusing non-canonical input cost.
 * Usage: npx tsx bench/cbor.ts [--seconds 2]
 */
import { Decoder, Encoder } from 'cbor-x'
import { decodeStrict, encodeCanonical } from '../src/cbor/index.js'

const i = process.argv.indexOf('--seconds')
const SECONDS = i >= 0 ? Number(process.argv[i + 1]) : 2

const payload = new Map<string | number, unknown>([
  ['v', 1],
  ['type', 'relay-accepted'],
  ['letter', '01920000-0000-7000-8000-000000000001'],
  ['digest', new Uint8Array(32).fill(7)],
  ['issuer', 'digitalpost.dk'],
  ['recipient', 'lars.jensen@digitalpost.dk'],
  ['time', 1_800_000_000],
  ['prev', new Uint8Array(32).fill(9)],
])
const header = new Map<number, unknown>([
  [1, -8],
  [4, new Uint8Array(32).fill(1)],
  [3, 'application/barid-evidence+cbor'],
])
// A COSE_Sign1 Sig_structure over a sealed letter's ~1.2 KB ciphertext: what every signature
// check of a letter encodes.
const sigStructure = [
  'Signature1',
  new Uint8Array(40).fill(3),
  new Uint8Array(0),
  new Uint8Array(1200).fill(5),
]
const cborx = new Encoder({ useRecords: false, mapsAsObjects: false, variableMapSize: true })
const cborxDecoder = new Decoder({ useRecords: false, mapsAsObjects: false })

/** Operations per second of `fn`, best of 8 slices alternating with the others. */
function compare(...fns: (() => unknown)[]): number[] {
  const best = fns.map(() => 0)
  for (let s = 0; s < 8; s++)
    for (const [j, f] of fns.entries()) {
      let n = 0
      const t0 = performance.now()
      const end = t0 + (SECONDS * 1000) / 16
      while (performance.now() < end) {
        for (let k = 0; k < 100; k++) f()
        n += 100
      }
      best[j] = Math.max(best[j]!, n / ((performance.now() - t0) / 1000))
    }
  return best
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(11)
const line = (op: string, name: string, ours: number, theirs: number) =>
  `${op} ${name.padEnd(17)} ${fmt(ours)}/s   cbor-x ${fmt(theirs)}/s   ` +
  `ratio ${(ours / theirs).toFixed(2)}`
for (const [name, value] of [
  ['evidence payload', payload],
  ['protected header', header],
  ['Sig_structure', sigStructure],
] as const) {
  const ours = encodeCanonical(value as never)
  const theirs = cborx.encode(value)
  const [enc, encX] = compare(
    () => encodeCanonical(value as never),
    () => cborx.encode(value),
  )
  const [dec, decX] = compare(
    () => decodeStrict(ours),
    () => cborxDecoder.decode(theirs),
  )
  console.log(line('encode', name, enc!, encX!))
  console.log(line('decode', name, dec!, decX!))
}
