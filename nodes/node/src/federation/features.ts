/**
 * @module federation/features
 * Optional features of the federation API (spec 11.3): how the protocol grows without a day on
 * which every node must change at once. A node advertises the features it accepts in its
 * self-description; a sending node puts a feature's members into a transaction only for a peer
 * that advertises it, and a receiver keeps refusing members it does not know (11.4).
 */

/** The features this node implements, each with the transaction members it adds (11.3). */
export const FEATURES = ['sender-display'] as const

export type Feature = (typeof FEATURES)[number]

/** Most names a self-description lists (11.3). */
export const MAX_FEATURES = 64

/**
 * The features a peer's self-description advertises that this node knows, read as 11.3 tells a
 * reader to: a name it does not know (a feature defined after it was built, or not a name at all)
 * is ignored, and a `features` member that is absent or not a list of at most 64 strings
 * advertises none. Never throws: the document is unsigned and comes from the network.
 *
 * @example
 * ```ts
 * advertisedFeatures({ features: ['sender-display', 'later-feature'] }) // Set { 'sender-display' }
 * ```
 */
export function advertisedFeatures(selfDescription: unknown): ReadonlySet<Feature> {
  const list =
    selfDescription !== null && typeof selfDescription === 'object'
      ? (selfDescription as { features?: unknown }).features
      : undefined
  const out = new Set<Feature>()
  if (!Array.isArray(list) || list.length > MAX_FEATURES) return out
  for (const name of list)
    if (typeof name === 'string' && (FEATURES as readonly string[]).includes(name))
      out.add(name as Feature)
  return out
}
