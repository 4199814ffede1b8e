import { describe, it, expect } from 'vitest';
import { createJsonText } from './json-text.js';

describe('createJsonText', () => {
  it('gives the compact JSON text, once per object', () => {
    const jsonText = createJsonText();
    const value = { a: 1, b: ['x'] };
    const first = jsonText(value);
    expect(first).toEqual(['{"a":1,"b":["x"]}']);
    expect(jsonText(value)).toBe(first);
  });

  it('adds an unescaped text when a string holds a JSON document', () => {
    const jsonText = createJsonText();
    const texts = jsonText({ policyDocument: '{"Effect":"Allow"}' });
    expect(texts).toEqual([
      '{"policyDocument":"{\\"Effect\\":\\"Allow\\"}"}',
      '{"policyDocument":"{"Effect":"Allow"}"}',
    ]);
  });
});
