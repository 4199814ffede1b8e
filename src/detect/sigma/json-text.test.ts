import { describe, it, expect } from 'vitest';
import { createJsonText } from './json-text.js';

describe('createJsonText', () => {
  it('gives the compact JSON text, once per object', () => {
    const jsonText = createJsonText();
    const value = { a: 1, b: ['x'] };
    const first = jsonText.texts(value);
    expect(first).toEqual(['{"a":1,"b":["x"]}']);
    expect(jsonText.texts(value)).toBe(first);
  });

  it('adds an unescaped text when a string holds a JSON document', () => {
    const jsonText = createJsonText();
    const texts = jsonText.texts({ policyDocument: '{"Effect":"Allow"}' });
    expect(texts).toEqual([
      '{"policyDocument":"{\\"Effect\\":\\"Allow\\"}"}',
      '{"policyDocument":"{"Effect":"Allow"}"}',
    ]);
  });

  it('gives lower-cased texts for case-insensitive matching, once per object', () => {
    const jsonText = createJsonText();
    const value = { Name: 'Alice' };
    const folded = jsonText.folded(value);
    expect(folded).toEqual(['{"name":"alice"}']);
    expect(jsonText.folded(value)).toBe(folded);
    expect(jsonText.texts(value)).toEqual(['{"Name":"Alice"}']);
  });
});
