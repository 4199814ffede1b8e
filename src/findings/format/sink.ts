import type { Finding } from '../../core/finding.js';

/** Anything text can be written to: a Node stream, or a collector in tests. */
export interface TextSink {
  write(chunk: string): boolean | void;
  once?(event: 'drain', listener: () => void): unknown;
}

export type Findings = Iterable<Finding> | AsyncIterable<Finding>;

/** Writes a chunk, waiting for `drain` when the sink asks for back-pressure. */
export async function put(out: TextSink, chunk: string): Promise<void> {
  if (out.write(chunk) === false && out.once) {
    await new Promise<void>((resolve) => out.once!('drain', resolve));
  }
}

/** A sink that keeps what is written, for tests and small in-memory exports. */
export function collectText(): TextSink & { text(): string } {
  const parts: string[] = [];
  return {
    write(chunk: string) {
      parts.push(chunk);
      return true;
    },
    text: () => parts.join(''),
  };
}
