/**
 * @module clock
 * The clock tolerance every signed Barid structure shares: how far in the future a `created` or
 * `issued` time may lie before a verifier refuses it (seconds).
 */
export const DEFAULT_CLOCK_SKEW = 300
