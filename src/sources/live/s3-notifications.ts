/** An object named by an S3 event notification. */
export interface ObjectRef {
  bucket: string;
  key: string;
}

export type ParsedNotification =
  | { kind: 'objects'; objects: ObjectRef[] }
  /** `s3:TestEvent` (sent when notifications are configured), or events that create nothing. */
  | { kind: 'ignore' }
  | { kind: 'invalid'; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** S3 writes keys in notifications URL-encoded, with `+` for a space. */
function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

function fromS3Event(body: Record<string, unknown>): ParsedNotification {
  if (body.Event === 's3:TestEvent') return { kind: 'ignore' };
  if (!Array.isArray(body.Records)) return { kind: 'invalid', reason: 'no Records array' };
  const objects: ObjectRef[] = [];
  for (const r of body.Records as unknown[]) {
    if (!isObject(r) || !isObject(r.s3)) return { kind: 'invalid', reason: 'a record without s3' };
    const name = typeof r.eventName === 'string' ? r.eventName : '';
    if (!name.startsWith('ObjectCreated:')) continue;
    const bucket = isObject(r.s3.bucket) ? r.s3.bucket.name : undefined;
    const key = isObject(r.s3.object) ? r.s3.object.key : undefined;
    if (typeof bucket !== 'string' || typeof key !== 'string') {
      return { kind: 'invalid', reason: 'a record without s3.bucket.name or s3.object.key' };
    }
    objects.push({ bucket, key: decodeKey(key) });
  }
  return objects.length > 0 ? { kind: 'objects', objects } : { kind: 'ignore' };
}

/** An EventBridge "Object Created" event (S3 → EventBridge → SQS); its key is not URL-encoded. */
function fromEventBridge(body: Record<string, unknown>): ParsedNotification {
  if (body['detail-type'] !== 'Object Created') return { kind: 'ignore' };
  const d = body.detail;
  const bucket = isObject(d) && isObject(d.bucket) ? d.bucket.name : undefined;
  const key = isObject(d) && isObject(d.object) ? d.object.key : undefined;
  if (typeof bucket !== 'string' || typeof key !== 'string') {
    return {
      kind: 'invalid',
      reason: 'an Object Created event without detail.bucket.name or detail.object.key',
    };
  }
  return { kind: 'objects', objects: [{ bucket, key }] };
}

/**
 * The objects an SQS message body names: an S3 event notification, the same inside an SNS envelope
 * (`{"Type":"Notification","Message":"<S3 event JSON>"}`, unless raw message delivery is on), or an
 * EventBridge "Object Created" event. Only `ObjectCreated:*` records count.
 */
export function parseNotification(body: string | undefined): ParsedNotification {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return { kind: 'invalid', reason: 'the message body is not JSON' };
  }
  if (!isObject(parsed)) return { kind: 'invalid', reason: 'the message body is not a JSON object' };
  if (parsed.Type === 'Notification' && typeof parsed.Message === 'string') {
    const inner = parseNotification(parsed.Message);
    return inner.kind === 'invalid' ? { kind: 'invalid', reason: `SNS message: ${inner.reason}` } : inner;
  }
  if (parsed.source === 'aws.s3' && 'detail-type' in parsed) return fromEventBridge(parsed);
  return fromS3Event(parsed);
}
