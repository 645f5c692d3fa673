/**
 * @module cose/x25519-small-order
 * The X25519 public keys of small order (D. J. Bernstein, https://cr.yp.to/ecdh.html, "How do
 * I validate Curve25519 public keys?"), as 32-byte little-endian u-coordinates: with any private
 * key they give the all-zero shared secret that RFC 7748 section 6.1 lets a party check for and
 * that spec 04 (4.5) requires refusing. For tests and vectors: a reader does not need the list,
 * it refuses the all-zero secret whatever point gave it.
 */

/** Each small-order u-coordinate, with a name saying which point it is. */
export const X25519_SMALL_ORDER: readonly { readonly name: string; readonly hex: string }[] = [
  { name: 'u = 0 (order 2)', hex: '00'.repeat(32) },
  { name: 'u = 1 (order 4)', hex: '01' + '00'.repeat(31) },
  {
    name: 'order 8 (first)',
    hex: 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  },
  {
    name: 'order 8 (second)',
    hex: '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  },
  { name: 'u = p - 1 (order 4)', hex: 'ec' + 'ff'.repeat(30) + '7f' },
  { name: 'u = p, a non-canonical 0', hex: 'ed' + 'ff'.repeat(30) + '7f' },
  { name: 'u = p + 1, a non-canonical 1', hex: 'ee' + 'ff'.repeat(30) + '7f' },
  { name: 'u = 0 with bit 255 set, which X25519 ignores', hex: '00'.repeat(31) + '80' },
]
