/**
 * Splits a stream of JSON bytes into one slice per record without parsing the whole: it tracks strings,
 * escapes and nesting depth, and cuts out each element of a top-level `{"Records": [...]}` array, each
 * element of a top-level array, each top-level value, or (when the first value fits on one line) each
 * line. Each slice is then `JSON.parse`d alone, so memory is bounded by one record, and a malformed record
 * costs only itself: the splitter resynchronises at the next element (or the next line).
 */

export interface SplitLocation {
  /** 0-based ordinal of the record in the input. */
  index: number;
  /** 1-based line where it starts. */
  line: number;
  /** Byte offset where it starts (in the decompressed input). */
  offset: number;
}

export type SplitItem =
  | (SplitLocation & { kind: 'value'; bytes: Buffer; inRecords: boolean; lines: boolean })
  /** Several consecutive elements of a Records array, already parsed (the fast path). */
  | (SplitLocation & { kind: 'parsed'; values: unknown[]; inRecords: true; lines: false })
  | (SplitLocation & { kind: 'too-large'; size: number; inRecords: boolean; lines: boolean })
  | (SplitLocation & {
      kind: 'bad';
      message: string;
      inRecords: boolean;
      lines: boolean;
      /** The unfinished record's bytes, when the input ends inside one (and it was under the limit). */
      bytes?: Buffer;
    });

// Where the splitter is.
const TOP = 0; // between top-level values
const VALUE = 1; // inside a top-level object, watching its keys for "Records"
const ARRAY = 2; // inside a top-level array: its elements are records
const RECORDS = 3; // inside {"Records": [ ... ]}: its elements are records
const SKIP = 4; // after the Records array, until its object closes
const LINES = 5; // one value per line

// What kind of element is being collected.
const CONTAINER = 0;
const STRING = 1;
const PRIMITIVE = 2;

/**
 * Between two records of a compact CloudTrail file. A `"` inside a JSON string is always escaped, so these
 * bytes can only be structure, never string content.
 */
const BOUNDARY = Buffer.from('},{"eventVersion":');
/** After this many failed optimistic parses (damaged input), an input is only scanned. */
const MAX_FAST_FAILURES = 3;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

export class JsonSplitter {
  private readonly max: number;
  private mode = TOP;
  private linesDecided = false;
  /** Depth at which elements are records: 0 top-level values, 1 top-level array, 2 the Records array. */
  private elementDepth = 0;
  private depth = 0;
  private inString = false;
  private escape = false;
  private skipLine = false;
  /** 1: just read a "Records" key; 2: and its colon. */
  private keyState = 0;
  private stringStart = 0;

  private collecting = false;
  private kind = CONTAINER;
  private start = 0;
  private startLine = 1;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private oversize = false;
  private sawNewline = false;

  private base = 0;
  private line = 1;
  private index = 0;
  private chunk: Buffer = Buffer.alloc(0);
  private out: SplitItem[] = [];

  private fast: boolean;
  private fastFailures = 0;

  /**
   * `fastRecords` (default true): inside a compact Records array, parse the run of whole records up to the
   * last record boundary of each chunk with one native `JSON.parse`, and scan byte by byte only the record
   * that straddles chunks; when that parse fails (damaged data) the chunk is scanned as usual.
   */
  constructor(options: { maxRecordBytes: number; fastRecords?: boolean }) {
    this.max = options.maxRecordBytes;
    this.fast = options.fastRecords ?? true;
  }

  /** Bytes held for the record in progress (never much more than the size limit). */
  get bufferedBytes(): number {
    return this.partsBytes;
  }

  /** Feeds the next chunk; returns the items completed by it. */
  push(b: Buffer): SplitItem[] {
    this.out = [];
    this.chunk = b;
    const n = b.length;
    let i = 0;
    // A record cut by the chunk boundary is re-read whole by the fast path, whatever state it was cut in.
    if (this.fast && this.mode === RECORDS && (this.collecting || !this.inString)) i = this.fastRecords(b, 0);
    while (i < n) {
      if (this.mode === LINES) {
        i = this.scanLines(b, i);
        break;
      }
      if (this.skipLine) {
        const nl = b.indexOf(NEWLINE, i);
        if (nl < 0) {
          i = n;
          break;
        }
        this.skipLine = false;
        this.line++;
        i = nl + 1;
        continue;
      }
      if (this.inString) {
        if (this.escape) {
          this.escape = false;
          i++;
          continue;
        }
        let j = i;
        for (; j < n; j++) {
          const c = b[j];
          if (c === QUOTE) break;
          if (c === BACKSLASH) j++;
        }
        if (j >= n) {
          this.escape = j > n;
          i = n;
          break;
        }
        this.inString = false;
        i = j + 1;
        this.stringEnded(b, i);
        continue;
      }
      if (this.collecting && this.kind === CONTAINER && this.mode !== VALUE) i = this.scanRecord(b, i);
      else {
        const before = this.mode;
        i = this.structural(b, i);
        // Just entered a Records array: the rest of this chunk may take the fast path too.
        if (this.mode === RECORDS && before !== RECORDS && this.fast) i = this.fastRecords(b, i);
      }
    }
    this.keep(b, n);
    this.base += n;
    return this.out;
  }

  /** Ends the input; returns the last items (a final line, or a problem if the input stops mid-record). */
  finish(): SplitItem[] {
    this.out = [];
    this.chunk = Buffer.alloc(0);
    if (this.mode === LINES) {
      if (this.collecting) this.endLine(0);
    } else {
      if (this.collecting && this.kind === PRIMITIVE && this.depth === this.elementDepth) this.endElement(0);
      if (this.collecting || this.inString || this.depth > 0) {
        const where = this.collecting
          ? { index: this.index, line: this.startLine, offset: this.start }
          : { index: this.index, line: this.line, offset: this.base };
        const what = this.collecting ? `record ${this.index} is cut off` : 'a closing bracket is missing';
        const held = this.collecting && !this.oversize ? Buffer.concat(this.parts) : undefined;
        this.out.push({
          kind: 'bad',
          message: `input ends early: ${what}`,
          inRecords: this.mode === RECORDS,
          lines: this.mode === VALUE,
          ...where,
          ...(held ? { bytes: held } : {}),
        });
      }
    }
    this.collecting = false;
    this.parts = [];
    this.partsBytes = 0;
    return this.out;
  }

  /** The optimistic path (see the constructor); returns where byte scanning resumes. */
  private fastRecords(b: Buffer, at: number): number {
    const cut = b.lastIndexOf(BOUNDARY);
    if (cut < at) return at;
    const end = cut + 1;
    let from = at;
    if (this.collecting) {
      if (this.kind !== CONTAINER || this.oversize || this.partsBytes + end > this.max) return at;
    } else {
      if (this.depth !== this.elementDepth) return at;
      while (
        from < end &&
        (b[from] === 0x2c || b[from] === 0x20 || b[from] === NEWLINE || b[from] === 0x0d || b[from] === 0x09)
      )
        from++;
      if (end - from > this.max) return at;
    }
    const body = this.collecting ? Buffer.concat([...this.parts, b.subarray(0, end)]) : b.subarray(from, end);
    let values: unknown;
    try {
      values = JSON.parse(`[${body.toString('utf8')}]`);
    } catch {
      if (++this.fastFailures >= MAX_FAST_FAILURES) this.fast = false;
      return at;
    }
    if (!Array.isArray(values)) return at;
    const offset = this.collecting ? this.start : this.base + from;
    const line = this.collecting ? this.startLine : this.line;
    this.out.push({ kind: 'parsed', values, inRecords: true, lines: false, index: this.index, line, offset });
    this.index += values.length;
    for (let nl = b.indexOf(NEWLINE, from); nl >= 0 && nl < end; nl = b.indexOf(NEWLINE, nl + 1)) this.line++;
    this.collecting = false;
    this.parts = [];
    this.partsBytes = 0;
    this.depth = this.elementDepth;
    this.inString = false;
    this.escape = false;
    return end;
  }

  /**
   * The hot loop: inside a record (an object or array element being collected, not the top-level value
   * whose keys are watched), only strings and nesting matter until the record closes.
   */
  private scanRecord(b: Buffer, i: number): number {
    const n = b.length;
    const stop = this.elementDepth;
    let depth = this.depth;
    while (i < n) {
      const c = b[i++];
      if (c === QUOTE) {
        for (;;) {
          if (i >= n) {
            this.inString = true;
            this.depth = depth;
            return n;
          }
          const d = b[i++];
          if (d === QUOTE) break;
          if (d === BACKSLASH) {
            if (i >= n) {
              this.inString = true;
              this.escape = true;
              this.depth = depth;
              return n;
            }
            i++;
          }
        }
      } else if (c === 0x7b || c === 0x5b) {
        depth++;
      } else if (c === 0x7d || c === 0x5d) {
        if (--depth === stop) {
          this.depth = depth;
          this.endElement(i);
          return i;
        }
      } else if (c === NEWLINE) {
        this.line++;
        this.sawNewline = true;
      }
    }
    this.depth = depth;
    return n;
  }

  private structural(b: Buffer, i: number): number {
    const c = b[i]!;
    switch (c) {
      case 0x20:
      case 0x09:
      case 0x0d:
        if (this.collecting && this.kind === PRIMITIVE && this.depth === this.elementDepth)
          this.endElement(i);
        return i + 1;
      case NEWLINE:
        if (this.collecting) {
          if (this.kind === PRIMITIVE && this.depth === this.elementDepth) this.endElement(i);
          else this.sawNewline = true;
        }
        this.line++;
        return i + 1;
      case QUOTE:
        if (this.mode === TOP) return this.unexpected(i);
        if (!this.collecting && this.depth === this.elementDepth && this.takesElements())
          this.begin(i, STRING);
        this.keyState = 0;
        this.inString = true;
        this.stringStart = this.base + i;
        return i + 1;
      case 0x7b: // {
      case 0x5b: // [
        if (this.mode === TOP) {
          if (c === 0x7b) {
            this.mode = VALUE;
            this.elementDepth = 0;
            this.begin(i, CONTAINER);
          } else {
            this.mode = ARRAY;
            this.elementDepth = 1;
          }
        } else if (c === 0x5b && this.keyState === 2 && this.mode === VALUE && this.depth === 1) {
          this.mode = RECORDS;
          this.elementDepth = 2;
          this.collecting = false;
          this.parts = [];
          this.partsBytes = 0;
          this.oversize = false;
        } else if (!this.collecting && this.depth === this.elementDepth && this.takesElements()) {
          this.begin(i, CONTAINER);
        }
        this.keyState = 0;
        this.depth++;
        return i + 1;
      case 0x7d: // }
      case 0x5d: // ]
        this.keyState = 0;
        if (this.mode === TOP) return this.unexpected(i);
        if (this.collecting && this.kind === PRIMITIVE && this.depth === this.elementDepth)
          this.endElement(i);
        this.depth--;
        if (this.collecting && this.kind === CONTAINER && this.depth === this.elementDepth) {
          this.endElement(i + 1);
          if (this.mode === VALUE) this.topValueEnded();
        } else if (this.depth < this.elementDepth) {
          if (this.mode === RECORDS) this.mode = SKIP;
          else if (this.mode === ARRAY) this.mode = TOP;
        }
        if (this.mode === SKIP && this.depth === 0) this.mode = TOP;
        return i + 1;
      case 0x2c: // ,
        this.keyState = 0;
        if (this.collecting && this.kind === PRIMITIVE && this.depth === this.elementDepth)
          this.endElement(i);
        return i + 1;
      case 0x3a: // :
        if (this.keyState === 1) this.keyState = 2;
        return i + 1;
      default:
        if (this.mode === TOP) return this.unexpected(i);
        this.keyState = 0;
        if (!this.collecting && this.depth === this.elementDepth && this.takesElements())
          this.begin(i, PRIMITIVE);
        return i + 1;
    }
  }

  private takesElements(): boolean {
    return this.mode === ARRAY || this.mode === RECORDS;
  }

  /** Text at the top level that cannot start a value: report it and resume at the next line. */
  private unexpected(i: number): number {
    this.out.push({
      kind: 'bad',
      inRecords: false,
      message: `unexpected ${describeByte(this.chunk[i]!)} between records`,
      index: this.index,
      line: this.line,
      offset: this.base + i,
      lines: this.linesDecided,
    });
    this.skipLine = true;
    return i + 1;
  }

  private stringEnded(b: Buffer, end: number): void {
    if (this.collecting && this.kind === STRING && this.depth === this.elementDepth) {
      this.endElement(end);
      return;
    }
    if (this.mode !== VALUE || this.depth !== 1) return;
    const absEnd = this.base + end;
    if (absEnd - this.stringStart !== 9) return;
    let key: Buffer | undefined;
    if (this.stringStart >= this.base) key = b.subarray(this.stringStart - this.base, end);
    else if (!this.oversize) key = Buffer.concat([...this.parts, b.subarray(0, end)]).subarray(-9);
    if (key !== undefined && key.toString('latin1') === '"Records"') this.keyState = 1;
  }

  private topValueEnded(): void {
    this.mode = TOP;
    if (!this.linesDecided) {
      this.linesDecided = true;
      // The first value fits on one line: treat the input as JSON lines from here, which resynchronises
      // at every newline even when a line's quotes or brackets are broken.
      if (!this.lastHadNewline) this.mode = LINES;
    }
  }

  private lastHadNewline = false;

  private begin(i: number, kind: number): void {
    this.collecting = true;
    this.kind = kind;
    this.start = this.base + i;
    this.startLine = this.line;
    this.sawNewline = false;
  }

  private endElement(end: number): void {
    const size = this.base + end - this.start;
    const where = {
      index: this.index++,
      line: this.startLine,
      offset: this.start,
      lines: this.mode === VALUE,
    };
    if (this.oversize || size > this.max) {
      this.out.push({ kind: 'too-large', size, inRecords: this.mode === RECORDS, ...where });
    } else {
      const b = this.chunk;
      const bytes = this.parts.length
        ? Buffer.concat([...this.parts, b.subarray(0, end)])
        : b.subarray(this.start - this.base, end);
      this.out.push({ kind: 'value', bytes, inRecords: this.mode === RECORDS, ...where });
    }
    this.lastHadNewline = this.sawNewline;
    this.collecting = false;
    this.parts = [];
    this.partsBytes = 0;
    this.oversize = false;
  }

  /** At the end of a chunk, keeps the unfinished record's bytes (or only its size, once too large). */
  private keep(b: Buffer, n: number): void {
    if (!this.collecting || this.oversize) return;
    const from = Math.max(0, this.start - this.base);
    if (from >= n) return;
    this.partsBytes += n - from;
    if (this.partsBytes > this.max) {
      this.oversize = true;
      this.parts = [];
      this.partsBytes = 0;
    } else {
      this.parts.push(b.subarray(from, n));
    }
  }

  private scanLines(b: Buffer, i: number): number {
    const n = b.length;
    while (i < n) {
      if (!this.collecting) {
        this.collecting = true;
        this.start = this.base + i;
        this.startLine = this.line;
      }
      const nl = b.indexOf(NEWLINE, i);
      if (nl < 0) return n;
      this.endLine(nl);
      this.line++;
      i = nl + 1;
    }
    return n;
  }

  /** Completes the line that ends at `end` in the current chunk. */
  private endLine(end: number): void {
    const b = this.chunk;
    const size = this.base + end - this.start;
    const where = { index: this.index, line: this.startLine, offset: this.start, lines: true };
    if (this.oversize || size > this.max) {
      this.index++;
      this.out.push({ kind: 'too-large', size, inRecords: false, ...where });
    } else {
      const bytes = this.parts.length
        ? Buffer.concat([...this.parts, b.subarray(0, end)])
        : b.subarray(this.start - this.base, end);
      if (!isBlank(bytes)) {
        this.index++;
        this.out.push({ kind: 'value', bytes, inRecords: false, ...where });
      }
    }
    this.collecting = false;
    this.parts = [];
    this.partsBytes = 0;
    this.oversize = false;
  }
}

function isBlank(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== NEWLINE) return false;
  }
  return true;
}

function describeByte(c: number): string {
  return c >= 0x21 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}
