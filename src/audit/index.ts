/** The append-only, hash-chained audit log: response actions and user actions, verifiable offline. */
export {
  AuditLogError,
  auditLogFile,
  GENESIS_HASH,
  MAX_DATA_BYTES,
  openAuditLog,
  rowHash,
  type AuditAppend,
  type AuditListQuery,
  type AuditLog,
  type AuditLogOptions,
  type AuditProblemCode,
  type AuditRecord,
  type AuditVerifyOptions,
  type AuditVerifyResult,
} from './log.js';
export { canonicalJson, CanonicalJsonError } from './canonical-json.js';
