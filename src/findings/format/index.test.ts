import { PassThrough } from 'node:stream';
import { describe, it, expect } from 'vitest';
import { sampleFindings } from '../testing.js';
import { FINDING_FORMATS, writeFindings } from './index.js';

async function* slowly<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

describe('writeFindings', () => {
  it.each(FINDING_FORMATS)(
    'writes %s to a real stream, waiting for drain under back-pressure',
    async (format) => {
      const stream = new PassThrough({ highWaterMark: 16 });
      const chunks: Buffer[] = [];
      const done = writeFindings(format, slowly(sampleFindings()), stream);
      stream.on('data', (c: Buffer) => chunks.push(c));
      await done;
      stream.end();
      const text = Buffer.concat(chunks).toString('utf8');
      expect(text.length).toBeGreaterThan(100);
      expect(text).toContain(
        format === 'table' ? 'CloudTrail logging stopped' : 'cloudtrail-logging-stopped',
      );
    },
  );
});
