/**
 * Which S3 API calls change a bucket's (or the account's) security settings, and which are data events.
 * Reads of the same settings (GetBucketPolicy, GetBucketAcl, GetPublicAccessBlock…) are deliberately
 * absent: looking at a policy is not changing it.
 */
export type S3ChangeCategory = 'policy' | 'acl' | 'public-access-block' | 'encryption' | 'ownership';

interface ChangeKind {
  category: S3ChangeCategory;
  action: 'set' | 'removed';
  /** Account-level Block Public Access (S3 Control) rather than one bucket. */
  account?: boolean;
}

export const S3_CHANGES: Readonly<Record<string, ChangeKind>> = {
  PutBucketPolicy: { category: 'policy', action: 'set' },
  DeleteBucketPolicy: { category: 'policy', action: 'removed' },
  PutBucketAcl: { category: 'acl', action: 'set' },
  PutObjectAcl: { category: 'acl', action: 'set' },
  PutBucketPublicAccessBlock: { category: 'public-access-block', action: 'set' },
  DeleteBucketPublicAccessBlock: { category: 'public-access-block', action: 'removed' },
  PutPublicAccessBlock: { category: 'public-access-block', action: 'set' },
  DeletePublicAccessBlock: { category: 'public-access-block', action: 'removed' },
  PutAccountPublicAccessBlock: { category: 'public-access-block', action: 'set', account: true },
  DeleteAccountPublicAccessBlock: { category: 'public-access-block', action: 'removed', account: true },
  PutBucketEncryption: { category: 'encryption', action: 'set' },
  DeleteBucketEncryption: { category: 'encryption', action: 'removed' },
  PutBucketOwnershipControls: { category: 'ownership', action: 'set' },
  DeleteBucketOwnershipControls: { category: 'ownership', action: 'removed' },
};

export const S3_CHANGE_NAMES: readonly string[] = Object.keys(S3_CHANGES);

/** S3 object-level (data event) operations counted in the data-volume rollup. */
export const S3_DATA_OPERATIONS: ReadonlySet<string> = new Set([
  'GetObject',
  'PutObject',
  'DeleteObject',
  'DeleteObjects',
  'CopyObject',
  'HeadObject',
  'GetObjectAttributes',
  'RestoreObject',
  'SelectObjectContent',
  'CreateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
]);

const PUBLIC_GRANTEES = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/;
const PUBLIC_CANNED = /^(public-read|public-read-write|authenticated-read)$/;

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** True when a policy document (string or object) allows some action to everyone (`"Principal": "*"`). */
function policyIsPublic(policy: unknown): boolean {
  let doc: unknown = policy;
  if (typeof policy === 'string') {
    try {
      doc = JSON.parse(policy);
    } catch {
      return false;
    }
  }
  const statements = record(doc)?.Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  return list.some((s) => {
    const st = record(s);
    if (!st || st.Effect !== 'Allow') return false;
    const p = st.Principal;
    return (
      p === '*' ||
      record(p)?.AWS === '*' ||
      (Array.isArray(record(p)?.AWS) && (record(p)!.AWS as unknown[]).includes('*'))
    );
  });
}

/** True when a PublicAccessBlockConfiguration turns any of its four protections off. */
function blockWeakened(params: Record<string, unknown>): boolean {
  const conf = record(params.PublicAccessBlockConfiguration) ?? record(params.publicAccessBlock) ?? {};
  return ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'].some(
    (k) => conf[k] === false || conf[k] === 'false',
  );
}

/**
 * Whether a change weakens protection: removing a public access block or default encryption, a
 * policy that allows everyone, an ACL granting AllUsers / AuthenticatedUsers. A hint for the reader,
 * computed from the request as logged; the absence of the flag proves nothing.
 */
export function weakensProtection(eventName: string, raw: Record<string, unknown>): boolean {
  const kind = S3_CHANGES[eventName];
  if (!kind) return false;
  const params = record(raw.requestParameters) ?? {};
  switch (kind.category) {
    case 'public-access-block':
      return kind.action === 'removed' || blockWeakened(params);
    case 'encryption':
      return kind.action === 'removed';
    case 'policy':
      return kind.action === 'set' && policyIsPublic(params.bucketPolicy ?? params.policy);
    case 'acl': {
      const canned = params['x-amz-acl'];
      if (PUBLIC_CANNED.test(Array.isArray(canned) ? String(canned[0]) : String(canned ?? ''))) return true;
      return PUBLIC_GRANTEES.test(
        JSON.stringify(params.AccessControlPolicy ?? params.accessControlList ?? ''),
      );
    }
    default:
      return false;
  }
}

/** The bucket a request names, when it names one as a string. */
export function bucketOf(raw: Record<string, unknown>): string | undefined {
  const b = record(raw.requestParameters)?.bucketName;
  return typeof b === 'string' && b !== '' ? b : undefined;
}

/** Bytes moved by an S3 data event (`additionalEventData.bytesTransferredIn` + `…Out`), when logged. */
export function bytesOf(raw: Record<string, unknown>): number | undefined {
  const extra = record(raw.additionalEventData);
  if (!extra) return undefined;
  let total = 0;
  let seen = false;
  for (const k of ['bytesTransferredIn', 'bytesTransferredOut']) {
    const v = Number(extra[k]);
    if (Number.isFinite(v) && v >= 0) {
      total += v;
      seen = true;
    }
  }
  return seen ? Math.round(total) : undefined;
}
