/**
 * @module commands
 * Every `barid` command, in the order `barid --help` lists them.
 */
import type { Command } from '../command.js'
import { certInspect } from './cert-inspect.js'
import { evidenceVerify } from './evidence-verify.js'
import { federationAdmit } from './federation-admit.js'
import { federationSetEndpoints } from './federation-endpoints.js'
import { federationInit } from './federation-init.js'
import {
  federationReissue,
  federationRetireCa,
  federationRollover,
} from './federation-lifecycle.js'
import { federationResetLog } from './federation-reset-log.js'
import { federationReinstate, federationSuspend, federationWithdraw } from './federation-status.js'
import { operatorCertifyNode } from './operator-certify-node.js'
import { operatorInit } from './operator-init.js'
import { operatorRevoke } from './operator-revoke.js'
import { operatorRotateCa } from './operator-rotate-ca.js'
import { operatorRotateNode } from './operator-rotate-node.js'
import { report } from './report.js'
import { trustListVerify } from './trust-list-verify.js'

export const COMMANDS: readonly Command[] = [
  federationInit,
  federationAdmit,
  federationSuspend,
  federationWithdraw,
  federationReinstate,
  federationRetireCa,
  federationSetEndpoints,
  federationReissue,
  federationRollover,
  federationResetLog,
  operatorInit,
  operatorCertifyNode,
  operatorRotateNode,
  operatorRotateCa,
  operatorRevoke,
  trustListVerify,
  certInspect,
  evidenceVerify,
  report,
]
