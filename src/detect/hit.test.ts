import { describe, it, expect } from 'vitest';
import { createFieldGetter } from './fields/index.js';
import { buildHit, compileHitTemplates, compileKey, keyOf } from './hit.js';
import type { Detection } from './types.js';
import { eventOf } from './sigma/test-event.js';

const event = eventOf({
  eventName: 'CreateUser',
  recipientAccountId: '123456789012',
  requestParameters: { tags: [{ key: 'a' }, { key: 'b' }] },
});

describe('compileKey', () => {
  it('renders the same key as keyOf', () => {
    const get = createFieldGetter();
    for (const fields of [
      [],
      ['vigil.accountId'],
      ['vigil.accountId', 'eventName'],
      ['requestParameters.tags.key', 'missing', 'requestParameters'],
    ]) {
      expect(compileKey(fields, get)(event), fields.join()).toBe(keyOf(event, fields, get));
    }
    expect(compileKey(['vigil.accountId', 'eventName', 'missing'], get)(event)).toBe(
      '123456789012|CreateUser|-',
    );
  });

  it('fails on each event, not when compiled, for a field that cannot be read', () => {
    const read = compileKey(['vigil.noSuchField'], createFieldGetter());
    expect(() => read(event)).toThrow('unknown derived field "vigil.noSuchField"');
  });
});

describe('buildHit resources', () => {
  it('leaves out a resource whose id the event does not give', () => {
    const get = createFieldGetter();
    const detection = {
      id: 'x',
      title: 't',
      description: 'd',
      dedupKey: ['vigil.accountId'],
      resources: [
        { type: 'AwsIamUser', id: 'arn:aws:iam::{{vigil.accountId}}:user/{{requestParameters.userName}}' },
        { type: 'AwsS3Bucket', id: 'arn:aws:s3:::{{requestParameters.bucketName}}' },
        { type: 'AwsAccount', id: '{{vigil.accountId}}' },
      ],
    } as unknown as Detection;
    const created = eventOf({
      eventName: 'CreateUser',
      recipientAccountId: '123456789012',
      requestParameters: { userName: 'svc' },
    });
    const hit = buildHit(detection, compileHitTemplates(detection), created, get);
    expect(hit.resources).toEqual([
      { type: 'AwsIamUser', id: 'arn:aws:iam::123456789012:user/svc' },
      { type: 'AwsAccount', id: '123456789012' },
    ]);
  });
});
