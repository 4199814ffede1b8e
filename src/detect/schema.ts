import { z } from 'zod';
import { parseDuration } from './duration.js';

/** The zod schema of a detection file (docs/detection-format.md). Shape only; the loader checks the rest. */
const text = z.string().trim().min(1, 'must not be empty');
const fieldPath = z
  .string()
  .regex(/^[A-Za-z0-9_@$:-]+(\.[A-Za-z0-9_@$:-]+)*$/, 'must be a dotted field path');
const fieldList = z.array(fieldPath);
const duration = z.string().transform((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === undefined || ms === 0) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `"${s}" is not a duration like 30s, 10m, 1h or 7d`,
    });
    return z.NEVER;
  }
  return ms;
});

const aggregate = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('count'),
      groupBy: fieldList.default([]),
      window: duration,
      threshold: z.number().int().positive(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('distinct'),
      groupBy: fieldList.default([]),
      window: duration,
      threshold: z.number().int().positive(),
      field: fieldPath,
    })
    .strict(),
  z
    .object({
      kind: z.literal('sum'),
      groupBy: fieldList.default([]),
      window: duration,
      threshold: z.number().positive(),
      field: fieldPath,
    })
    .strict(),
  z
    .object({
      kind: z.literal('first-seen'),
      key: fieldList.min(1, 'needs at least one field'),
      scope: fieldList.default([]),
      learning: z
        .string()
        .default('0s')
        .transform((s, ctx) => {
          const ms = parseDuration(s);
          if (ms === undefined) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${s}" is not a duration like 1h or 7d` });
            return z.NEVER;
          }
          return ms;
        }),
      baseline: text.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('sequence'),
      groupBy: fieldList.default([]),
      window: duration,
      steps: z.array(text).min(2, 'a sequence needs at least two steps'),
    })
    .strict(),
]);

const record = z.record(z.unknown());

const testCase = z
  .object({
    name: text,
    match: z.boolean().optional(),
    event: record.optional(),
    events: z.array(record).min(1).optional(),
    findings: z.number().int().nonnegative().optional(),
  })
  .strict();

export const detectionFileSchema = z
  .object({
    title: text,
    type: z
      .string()
      .regex(
        /^[A-Za-z]+:[A-Za-z0-9]+\/\S+$/,
        'must be GuardDuty-style ThreatPurpose:ResourceType/ThreatFamilyName',
      ),
    severity: z.number().min(1).max(10),
    maturity: z.enum(['stable', 'experimental']),
    source: z
      .enum(['cloudtrail', 'vpcflow', 'dns', 's3access', 'guardduty', 'securityhub'])
      .default('cloudtrail'),
    author: text.optional(),
    description: text,
    mitre: z
      .object({
        tactics: z.array(z.string().regex(/^TA\d{4}$/, 'must be an ATT&CK tactic id like TA0005')),
        techniques: z.array(
          z.string().regex(/^T\d{4}(\.\d{3})?$/, 'must be an ATT&CK technique id like T1562.008'),
        ),
      })
      .strict(),
    detection: record,
    aggregate: aggregate.optional(),
    dedupKey: fieldList.min(1).default(['vigil.accountId', 'vigil.principal']),
    resources: z.array(z.object({ type: text, id: text }).strict()).default([]),
    remediation: text,
    references: z.array(z.string().url('must be a URL')).default([]),
    falsepositives: z.array(text).min(1, 'say what benign activity looks like this'),
    tests: z.array(testCase),
  })
  .strict();

export type DetectionFile = z.output<typeof detectionFileSchema>;

/** One readable line per zod issue: `aggregate.window: "10x" is not a duration…`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : p))
      .join('.')
      .replace(/\.\[/g, '[');
    if (issue.code === z.ZodIssueCode.unrecognized_keys) {
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      return `${where ? `${where}: ` : ''}unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}`;
    }
    if (issue.code === z.ZodIssueCode.invalid_type && issue.received === 'undefined') {
      return `${where}: is required`;
    }
    return `${where || '(file)'}: ${issue.message}`;
  });
}
