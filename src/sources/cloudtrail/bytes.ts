import { isUtf8 } from 'node:buffer';
import { Readable, type TransformOptions } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';

/** gzip by its magic bytes, whatever the file is called. */
export function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Length of a UTF-8 byte order mark at the start, if any. */
export function bomLength(b: Buffer): number {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
}

export const SNIFF_BYTES = 4096;

/**
 * Whether the first bytes of an input are binary data rather than text: a NUL byte, or bytes that are not
 * UTF-8. `complete` says the sample is the whole input (else a multi-byte character may be cut at its end).
 */
export function looksBinary(sample: Buffer, complete: boolean): boolean {
  if (sample.indexOf(0) >= 0) return true;
  if (isUtf8(sample)) return false;
  if (complete) return true;
  for (let cut = 1; cut <= 3 && cut < sample.length; cut++) {
    if (isUtf8(sample.subarray(0, sample.length - cut))) return false;
  }
  return true;
}

/** An error reading the underlying file or stream (as opposed to corrupt content). */
export class ReadFailure extends Error {
  constructor(override readonly cause: unknown) {
    super((cause as Error)?.message ?? String(cause));
  }
}

/** Tracks how far into the compressed bytes gunzip got, for error messages. */
export interface GunzipProgress {
  compressedBytes: number;
}

/**
 * Decompresses a gzip byte stream (one or more members). Data decoded before a corrupt or truncated
 * spot is still yielded; then the zlib error is thrown (a read error of the source as ReadFailure).
 */
export async function* gunzipChunks(
  source: AsyncIterable<Buffer>,
  progress: GunzipProgress,
): AsyncGenerator<Buffer> {
  // A deep output buffer lets zlib (on the thread pool) decompress ahead while records are parsed.
  const options: ZlibOptions & TransformOptions = {
    chunkSize: 256 * 1024,
    readableHighWaterMark: 4 * 1024 * 1024,
    writableHighWaterMark: 1024 * 1024,
  };
  const gunzip = createGunzip(options);
  // Fed in small slices so that, on an error, bytesWritten says closely where the bad data is.
  const input = Readable.from(reslice(source, 64 * 1024), { objectMode: false });
  input.on('error', (err) => gunzip.destroy(err instanceof ReadFailure ? err : new ReadFailure(err)));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) {
      progress.compressedBytes = gunzip.bytesWritten;
      yield chunk as Buffer;
    }
  } finally {
    progress.compressedBytes = gunzip.bytesWritten;
    input.destroy();
    gunzip.destroy();
  }
}

async function* reslice(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    if (chunk.length <= size) yield chunk;
    else for (let i = 0; i < chunk.length; i += size) yield chunk.subarray(i, i + size);
  }
}

/** Yields `first` (if any bytes) and then the rest of an iterator. */
export async function* prepend(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (first.length > 0) yield first;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

/** A buffer as a stream of slices. */
export async function* sliced(b: Buffer, size = 1024 * 1024): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

/** Chunks of a stream as Buffers; errors become ReadFailure. */
export async function* streamChunks(stream: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    }
  } catch (err) {
    throw err instanceof ReadFailure ? err : new ReadFailure(err);
  }
}
