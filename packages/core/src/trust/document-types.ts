/**
 * @module trust/document-types
 * The `typ` of each signed federation document (spec/20, 21, 22), so a signature made for one
 * kind is never accepted as another.
 */
export const DOCUMENT_TYPE = {
  trustList: 'application/barid-trust-list+cose',
  revocationList: 'application/barid-revocation-list+cose',
  discovery: 'application/barid-node-keys+cose',
} as const
