import { describe, it, expect } from 'vitest';
import { eventOf } from '../sigma/test-event.js';
import type { FieldGetter } from '../types.js';
import { createFieldGetter, fieldAccessor, getPath, registerDerivedFields } from './index.js';

const raw = {
  eventName: 'PutUserPolicy',
  userIdentity: { type: 'IAMUser', sessionContext: { attributes: { mfaAuthenticated: 'true' } } },
  requestParameters: {
    tags: [{ key: 'team', value: 'Blue' }, { key: 'env', value: ['prod', 'eu'] }, { key: 'none' }],
    nested: [[{ v: 1 }], [{ v: 2 }, { v: 3 }]],
    text: 'plain',
    nothing: null,
  },
  resources: [{ ARN: 'arn:aws:s3:::a' }, { ARN: 'arn:aws:s3:::b' }],
};

const PATHS = [
  'eventName',
  'missing',
  'userIdentity.type',
  'userIdentity.sessionContext.attributes.mfaAuthenticated',
  'userIdentity.sessionContext.missing.deeper',
  'requestParameters.tags',
  'requestParameters.tags.key',
  'requestParameters.tags.value',
  'requestParameters.tags.missing',
  'requestParameters.nested.v',
  'requestParameters.text.length',
  'requestParameters.nothing.x',
  'resources.ARN',
  'eventName.x.y',
];

describe('field accessors', () => {
  it('read every raw path as getPath does, array crossings included', () => {
    const get = createFieldGetter();
    const event = eventOf(raw);
    for (const path of PATHS) {
      expect(get.accessor(path)(event), path).toEqual(getPath(raw, path));
      expect(get(event, path), path).toEqual(getPath(raw, path));
    }
    expect(get.accessor('requestParameters.tags.value')(event)).toEqual(['Blue', 'prod', 'eu']);
    expect(get.accessor('requestParameters.nested.v')(event)).toEqual([1, 2, 3]);
    expect(get.accessor('requestParameters.text.length')(event)).toBeUndefined();
  });

  it('are made once per path and shared', () => {
    const get = createFieldGetter();
    expect(get.accessor('userIdentity.type')).toBe(get.accessor('userIdentity.type'));
    expect(get.accessor('vigil.ipClass')).toBe(get.accessor('vigil.ipClass'));
  });

  it('read model fields off the event', () => {
    const get = createFieldGetter();
    const event = { ...eventOf(raw), eventName: 'Normalized' };
    expect(get.accessor('vigil.eventName')(event)).toBe('Normalized');
    expect(get(event, 'vigil.eventName')).toBe('Normalized');
  });

  it('compute other derived fields once per event', () => {
    let calls = 0;
    registerDerivedFields({
      accessorTestCounted: (e) => {
        calls++;
        return `${e.eventName}!`;
      },
    });
    const get = createFieldGetter();
    const first = eventOf(raw);
    const second = eventOf({ ...raw, eventName: 'Other' });
    const read = get.accessor('vigil.accessorTestCounted');
    expect(read(first)).toBe('PutUserPolicy!');
    expect(read(first)).toBe('PutUserPolicy!');
    expect(get(first, 'vigil.accessorTestCounted')).toBe('PutUserPolicy!');
    expect(calls).toBe(1);
    expect(read(second)).toBe('Other!');
    expect(calls).toBe(2);
  });

  it('use the lookups they were given', () => {
    const get = createFieldGetter({ ipClass: (ip) => (ip === '203.0.113.7' ? 'public' : 'invalid') });
    const event = { ...eventOf(raw), sourceIp: '203.0.113.7' };
    expect(get.accessor('vigil.ipClass')(event)).toBe('public');
    expect(createFieldGetter().accessor('vigil.ipClass')(event)).toBeUndefined();
  });

  it('refuse an unknown derived field when made, and the getter refuses it on every call', () => {
    const get = createFieldGetter();
    expect(() => get.accessor('vigil.noSuchField')).toThrow('unknown derived field "vigil.noSuchField"');
    expect(() => get.accessor('vigil.constructor')).toThrow('unknown derived field');
    expect(() => get(eventOf(raw), 'vigil.noSuchField')).toThrow('unknown derived field');
  });

  it('fall back on calling a getter that has no accessors', () => {
    const paths: string[] = [];
    const plain: FieldGetter = (_event, path) => {
      paths.push(path);
      return path.length;
    };
    expect(fieldAccessor(plain, 'abc')(eventOf(raw))).toBe(3);
    expect(paths).toEqual(['abc']);
  });
});
