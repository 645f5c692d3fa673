/**
 * @module address/eg-governorates
 * Governorate codes in digits 8-9 of an Egyptian national ID, as used by the Civil Status
 * Organization. Code 88 marks a birth registered abroad. A code not in this table is refused
 * with `ERR_IDENTIFIER_REGION`; adding a code is a specification change (`spec/03-addresses.md`).
 */
import type { EgGovernorate } from './identifier-types.js'

/** Governorate names by two-digit code. */
export const EG_GOVERNORATES: Readonly<Record<string, string>> = Object.freeze({
  '01': 'Cairo',
  '02': 'Alexandria',
  '03': 'Port Said',
  '04': 'Suez',
  '11': 'Damietta',
  '12': 'Dakahlia',
  '13': 'Sharqia',
  '14': 'Qalyubia',
  '15': 'Kafr El Sheikh',
  '16': 'Gharbia',
  '17': 'Monufia',
  '18': 'Beheira',
  '19': 'Ismailia',
  '21': 'Giza',
  '22': 'Beni Suef',
  '23': 'Fayoum',
  '24': 'Minya',
  '25': 'Asyut',
  '26': 'Sohag',
  '27': 'Qena',
  '28': 'Aswan',
  '29': 'Luxor',
  '31': 'Red Sea',
  '32': 'New Valley',
  '33': 'Matrouh',
  '34': 'North Sinai',
  '35': 'South Sinai',
  '88': 'Born abroad',
})

/** The governorate for a two-digit code, or `undefined` when the code is not in the table. */
export function egGovernorate(code: string): EgGovernorate | undefined {
  const name = Object.prototype.hasOwnProperty.call(EG_GOVERNORATES, code)
    ? EG_GOVERNORATES[code]
    : undefined
  return name === undefined ? undefined : { code, name }
}
