/**
 * @module address/ascii
 * ASCII-only helpers. Case folding is done here, on ASCII only, and only after the input has
 * been checked to be ASCII: `String.prototype.toLowerCase` maps some non-ASCII characters to
 * ASCII ones (U+212A KELVIN SIGN becomes `k`), which would let a look-alike name normalise to a
 * real operator's name.
 */

/** True when every character of `s` is printable ASCII (U+0021..U+007E: no space, no controls). */
export function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) return false
  }
  return true
}

/** Lower-cases ASCII letters A-Z only; leaves every other code unit as it is. */
export function asciiLower(s: string): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 0x20) : s[i]
  }
  return out
}

/** True when `s` is non-empty and all ASCII digits 0-9. */
export function isDigits(s: string): boolean {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return false
  }
  return true
}
