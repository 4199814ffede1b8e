import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { ctRecord } from './testing.js';

/** Test support for the S3 source: a real s3rver on 127.0.0.1 (port 0, temp folder) and a client for it. */
export interface TestBucket {
  bucket: string;
  endpoint: string;
  /** A client for the server (path-style, dummy credentials); destroyed by `close()`. */
  client(): S3Client;
  put(key: string, body: string | Buffer): Promise<void>;
  close(): Promise<void>;
}

export async function startTestBucket(bucket = 'trail-logs'): Promise<TestBucket> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  const client = () => {
    const c = new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      // s3rver predates the flexible checksums newer SDKs send by default.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    clients.push(c);
    return c;
  };
  const writer = client();
  return {
    bucket,
    endpoint,
    client,
    async put(key, body) {
      await writer.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async close() {
      for (const c of clients) c.destroy();
      server.httpServer?.closeAllConnections();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A key in CloudTrail's S3 layout. */
export function ctKey(region: string, stamp: string, suffix: string, account = '123456789012'): string {
  const day = `${stamp.slice(0, 4)}/${stamp.slice(4, 6)}/${stamp.slice(6, 8)}`;
  return `AWSLogs/${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${stamp}_${suffix}.json.gz`;
}

/** A gzip CloudTrail log file holding records with these event ids. */
export function ctLog(eventIds: string[], time = '2026-11-20T02:10:00Z'): Buffer {
  return gzipSync(JSON.stringify({ Records: eventIds.map((id) => ctRecord(id, time)) }));
}
