import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { InputProblem } from '../../core/errors.js';
import { readRecords } from '../cloudtrail/read-records.js';
import { flowLogRegion } from '../aws-log-keys.js';
import type { RawRecord } from '../types.js';

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

function describe(err: unknown): string {
  if (err instanceof Error)
    return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}

/**
 * The records of one S3 object: its body is streamed to a temporary file in `tmpDir` (deleted when the
 * reading ends, or is abandoned) and read with `readRecords`, so S3 objects are read exactly as local
 * files are (gzip by magic bytes, bounded memory for large ones). Records and problems name the object
 * as `s3://bucket/key`. A download that fails is reported as VIGIL_INPUT_UNREADABLE and yields nothing.
 */
export async function* readS3Object(
  s3: S3Client,
  bucket: string,
  key: string,
  options: { tmpDir: string; onProblem(p: InputProblem): void; signal?: AbortSignal },
): AsyncGenerator<RawRecord> {
  const uri = s3Uri(bucket, key);
  const tmp = join(options.tmpDir, `vigil-s3-${randomUUID()}`);
  try {
    let size: number;
    try {
      const out = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      if (out.Body === undefined) throw new Error('the object has no body');
      await pipeline(out.Body as Readable, createWriteStream(tmp));
      size = (await stat(tmp)).size;
    } catch (err) {
      if (options.signal?.aborted) return; // the source is stopping
      options.onProblem({
        file: uri,
        code: 'VIGIL_INPUT_UNREADABLE',
        message: `download failed: ${describe(err)}`,
      });
      return;
    }
    const onProblem = (p: InputProblem) => options.onProblem({ ...p, file: uri });
    const region = flowLogRegion(key);
    for await (const r of readRecords({ path: tmp, size }, { onProblem })) {
      // The temporary file's name has lost the S3 layout: flow records take their region from the key.
      yield r.format === 'vpcflow' && region !== undefined
        ? { ...r, file: uri, region }
        : { ...r, file: uri };
    }
  } finally {
    await rm(tmp, { force: true });
  }
}
