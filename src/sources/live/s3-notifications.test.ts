import { describe, expect, it } from 'vitest';
import { parseNotification } from './s3-notifications.js';

const event = (records: unknown[]) => JSON.stringify({ Records: records });
const created = (bucket: string, key: string, eventName = 'ObjectCreated:Put') => ({
  eventSource: 'aws:s3',
  eventName,
  s3: { bucket: { name: bucket }, object: { key, size: 10 } },
});

describe('parseNotification', () => {
  it('reads the objects of an S3 event, decoding their keys', () => {
    expect(parseNotification(event([created('b', 'AWSLogs/a+b%3Dc.json.gz'), created('b', 'k2')]))).toEqual({
      kind: 'objects',
      objects: [
        { bucket: 'b', key: 'AWSLogs/a b=c.json.gz' },
        { bucket: 'b', key: 'k2' },
      ],
    });
  });

  it('unwraps an SNS envelope and reads an EventBridge Object Created event', () => {
    const sns = JSON.stringify({ Type: 'Notification', Message: event([created('b', 'k')]) });
    expect(parseNotification(sns)).toEqual({ kind: 'objects', objects: [{ bucket: 'b', key: 'k' }] });
    const eb = JSON.stringify({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: { bucket: { name: 'b' }, object: { key: 'a b' } },
    });
    expect(parseNotification(eb)).toEqual({ kind: 'objects', objects: [{ bucket: 'b', key: 'a b' }] });
  });

  it('ignores test events and removals; rejects what is not a notification', () => {
    expect(parseNotification(JSON.stringify({ Event: 's3:TestEvent' }))).toEqual({ kind: 'ignore' });
    expect(parseNotification(event([created('b', 'k', 'ObjectRemoved:Delete')]))).toEqual({ kind: 'ignore' });
    expect(parseNotification('not json')).toMatchObject({ kind: 'invalid' });
    expect(parseNotification('[1]')).toMatchObject({ kind: 'invalid' });
    expect(parseNotification(JSON.stringify({ Type: 'Notification', Message: '{' }))).toEqual({
      kind: 'invalid',
      reason: 'SNS message: the message body is not JSON',
    });
    expect(parseNotification(event([{ eventName: 'ObjectCreated:Put', s3: {} }]))).toMatchObject({
      kind: 'invalid',
    });
  });
});
