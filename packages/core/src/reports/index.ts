/**
 * @module reports
 * Wire shapes of the node's reports (spec 17.8).
 */
export { MAX_REPORT_DAYS, parseSustainabilityReport } from './sustainability-report.js'
export type { SustainabilityReport } from './sustainability-report.js'
