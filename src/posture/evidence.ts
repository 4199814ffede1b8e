import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Evidence for controls no check can decide (a policy document, a training record, a restore test): a note
 * a person attaches to one control of one framework, with who added it and when it stops counting. Kept in
 * a small JSON file beside the snapshots, edited with `vigil posture evidence add|list|remove`.
 * Expired evidence is ignored — the control goes back to "awaiting evidence" — with a warning.
 */
export const EVIDENCE_FORMAT = 'vigil-posture-evidence';
export const EVIDENCE_VERSION = 1;

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time');

export const evidenceNoteSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]{8,32}$/, 'must be 8–32 lowercase letters or digits'),
    framework: z.string().min(1),
    control: z.string().min(1),
    note: z.string().min(1),
    by: z.string().min(1),
    addedAt: isoTime,
    expires: isoTime,
    /** The name of a document kept elsewhere (the file itself is not stored). */
    attachment: z.string().min(1).optional(),
  })
  .strict();

export type EvidenceNote = z.infer<typeof evidenceNoteSchema>;

const evidenceFileSchema = z
  .object({
    format: z.literal(EVIDENCE_FORMAT),
    version: z.literal(EVIDENCE_VERSION),
    notes: z.array(evidenceNoteSchema),
  })
  .strict();

export class EvidenceFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'EvidenceFileError';
  }
}

/** Reads an evidence file; a file that does not exist is an empty list when `missingOk`. */
export function loadEvidence(file: string, options: { missingOk?: boolean } = {}): EvidenceNote[] {
  if (options.missingOk && !existsSync(file)) return [];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new EvidenceFileError(file, `cannot read evidence: ${(err as Error).message}`);
  }
  const parsed = evidenceFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new EvidenceFileError(file, `invalid evidence file: ${problems.join('; ')}`);
  }
  return parsed.data.notes;
}

/** Writes the whole file through a temporary one and a rename, so a crash never leaves half a file. */
export function saveEvidence(file: string, notes: readonly EvidenceNote[]): void {
  const body = { format: EVIDENCE_FORMAT, version: EVIDENCE_VERSION, notes };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, 'utf8');
  renameSync(tmp, file);
}

/**
 * An expiry as typed by a person: a full ISO time, or a date — then the evidence counts through the end of
 * that day (UTC). Returns undefined when it is neither.
 */
export function parseExpiry(text: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const t = Date.parse(`${text}T23:59:59.999Z`);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export function newEvidenceId(): string {
  return randomBytes(6).toString('hex');
}

export function isExpired(note: EvidenceNote, now: number): boolean {
  return Date.parse(note.expires) <= now;
}

/** Splits notes into those that count at `now` and those that expired (to warn about). */
export function partitionEvidence(
  notes: readonly EvidenceNote[],
  now: number,
): { valid: EvidenceNote[]; expired: EvidenceNote[] } {
  const valid: EvidenceNote[] = [];
  const expired: EvidenceNote[] = [];
  for (const n of notes) (isExpired(n, now) ? expired : valid).push(n);
  return { valid, expired };
}
