/**
 * @module paper/cover-labels
 * The words printed on a letter's cover page, in the languages of the reference deployments
 * (Arabic for Egypt Post, Danish for Digital Post, English), chosen by the letter's language.
 */
import type { Direction } from './bidi-text.js'

/** Languages the cover page is printed in. */
export type CoverLanguage = 'ar' | 'da' | 'en'

export interface CoverLabels {
  direction: Direction
  date: string
  category: string
  /** The category of an ordinary (not registered) letter, and the title of one with no subject. */
  letter: string
  registered: string
  categories: Readonly<Record<string, string>>
  replyBy: string
  pages: string
  from: string
  letterId: string
  evidence: string
  /** Why the resident gets this letter on paper. */
  served: string
  /** How to check the evidence record (registered mail). */
  scan: string
  attachments: string
  /** Between the names of a list (the attachments). */
  listSeparator: string
  evidenceOfLetter: string
}

const LABELS: Record<CoverLanguage, CoverLabels> = {
  en: {
    direction: 'ltr',
    date: 'Date',
    category: 'Category',
    letter: 'Letter',
    registered: 'Registered',
    categories: {
      registered: 'Registered',
      'proof-of-receipt': 'Proof of receipt',
      'service-of-process': 'Service of process',
    },
    replyBy: 'Reply by',
    pages: 'Pages',
    from: 'From',
    letterId: 'Letter id',
    evidence: 'Evidence',
    served:
      'This letter was sent to your digital mailbox. You are served on paper because you are ' +
      'exempt from digital post, so your postal operator printed it for you.',
    scan:
      'Scan the code to check the record that it was handed to print in the operator\u2019s ' +
      'public evidence log.',
    attachments: 'Attachments',
    listSeparator: ', ',
    evidenceOfLetter: 'Evidence of this letter',
  },
  da: {
    direction: 'ltr',
    date: 'Dato',
    category: 'Kategori',
    letter: 'Brev',
    registered: 'Rekommanderet',
    categories: {
      registered: 'Rekommanderet',
      'proof-of-receipt': 'Med modtagelsesbevis',
      'service-of-process': 'Forkyndelse',
    },
    replyBy: 'Svarfrist',
    pages: 'Sider',
    from: 'Fra',
    letterId: 'Brev-id',
    evidence: 'Bevis',
    served:
      'Dette brev er sendt til din digitale postkasse. Du får det på papir, fordi du er fritaget ' +
      'for digital post, så dit postselskab har printet det til dig.',
    scan:
      'Scan koden for at se registreringen af, at brevet blev sendt til print, i ' +
      'postselskabets offentlige bevislog.',
    attachments: 'Bilag',
    listSeparator: ', ',
    evidenceOfLetter: 'Bevis for dette brev',
  },
  ar: {
    direction: 'rtl',
    date: 'التاريخ',
    category: 'الفئة',
    letter: 'رسالة',
    registered: 'مسجل',
    categories: {
      registered: 'بريد مسجل',
      'proof-of-receipt': 'بعلم الوصول',
      'service-of-process': 'إعلان قضائي',
    },
    replyBy: 'آخر موعد للرد',
    pages: 'عدد الصفحات',
    from: 'من',
    letterId: 'رقم الرسالة',
    evidence: 'رقم الإثبات',
    served:
      'أُرسلت هذه الرسالة إلى صندوق بريدك الرقمي. تصلك ورقيًا لأنك معفى من البريد الرقمي، ' +
      'لذلك طبعها لك مشغل البريد.',
    scan: 'امسح الرمز للتحقق من سجل تسليمها للطباعة في سجل الإثبات العام لدى المشغل.',
    attachments: 'المرفقات',
    listSeparator: '\u060c ', // the Arabic comma
    evidenceOfLetter: 'إثبات هذه الرسالة',
  },
}

const primary = (tag: string | undefined): string => (tag ?? '').split('-')[0]!.toLowerCase()

const supported = (lang: string): lang is CoverLanguage =>
  lang === 'ar' || lang === 'da' || lang === 'en'

/**
 * The language of the cover: the letter's (BCP 47 `tag`, by its primary subtag) when the
 * recipient's operator serves it (`served`, its profile's languages, first preferred), else the
 * operator's first language the cover is printed in; English when none is.
 *
 * @example
 * ```ts
 * coverLanguage('ar-EG', ['ar', 'en']) // 'ar'
 * coverLanguage('ar', ['da', 'en']) // 'da': an Arabic letter to a resident of Denmark
 * coverLanguage('de') // 'en'
 * ```
 */
export function coverLanguage(tag: string | undefined, served?: readonly string[]): CoverLanguage {
  const lang = primary(tag)
  const serves = served?.map(primary)
  if (supported(lang) && (!serves || serves.includes(lang))) return lang
  return serves?.find(supported) ?? 'en'
}

/** Languages written right to left (primary subtags), for text with no strong character. */
const RTL_LANGUAGES = new Set(
  ['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ks', 'ps', 'sd', 'ug', 'ur', 'yi'],
)

/**
 * The writing direction of a BCP 47 language tag.
 *
 * @example
 * ```ts
 * languageDirection('ar-EG') // 'rtl'
 * ```
 */
export function languageDirection(tag: string | undefined): Direction {
  return RTL_LANGUAGES.has(primary(tag)) ? 'rtl' : 'ltr'
}

/**
 * The cover labels in `lang`.
 *
 * @example
 * ```ts
 * coverLabels('da').replyBy // 'Svarfrist'
 * ```
 */
export function coverLabels(lang: CoverLanguage): CoverLabels {
  return LABELS[lang]
}
