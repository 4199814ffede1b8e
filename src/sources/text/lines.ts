import { StringDecoder } from 'node:string_decoder';

/** A line of a text log: its 1-based number and its text without the line ending. */
export interface Line {
  n: number;
  text: string;
}

/** What a splitter hands back: a line, or a line over the size limit (skipped without being held). */
export type LineItem = Line | { n: number; tooLong: number };

/**
 * Splits a byte stream into lines (`\n` or `\r\n`), decoding UTF-8 across chunk boundaries. A line longer
 * than `maxBytes` is not held: its length is counted and it comes out as `tooLong`, so memory stays
 * bounded by one line.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private skipping = 0;
  private n = 0;

  constructor(private readonly maxBytes: number) {}

  *push(chunk: Buffer): Generator<LineItem> {
    const text = this.decoder.write(chunk);
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      yield* this.end(text.slice(from, nl));
      from = nl + 1;
    }
    this.hold(text.slice(from));
  }

  *finish(): Generator<LineItem> {
    this.hold(this.decoder.end());
    if (this.pending !== '' || this.skipping > 0) yield* this.end('');
  }

  private hold(rest: string): void {
    if (this.skipping > 0) {
      this.skipping += rest.length;
      return;
    }
    this.pending += rest;
    if (this.pending.length > this.maxBytes) {
      this.skipping = this.pending.length;
      this.pending = '';
    }
  }

  private *end(tail: string): Generator<LineItem> {
    const n = ++this.n;
    if (this.skipping > 0) {
      const size = this.skipping + tail.length;
      this.skipping = 0;
      yield { n, tooLong: size };
      return;
    }
    let text = this.pending === '' ? tail : this.pending + tail;
    this.pending = '';
    if (text.length > this.maxBytes) {
      yield { n, tooLong: text.length };
      return;
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    yield { n, text };
  }
}

/** The lines of a whole text (already in memory). */
export function* linesOf(text: string): Generator<Line> {
  let from = 0;
  let n = 0;
  while (from < text.length) {
    let nl = text.indexOf('\n', from);
    if (nl < 0) nl = text.length;
    const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    yield { n: ++n, text: text.slice(from, end) };
    from = nl + 1;
  }
}
