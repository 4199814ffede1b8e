import { describe, it, expect } from 'vitest';
import { createFieldGetter } from './fields/index.js';
import { compileKey, keyOf } from './hit.js';
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
