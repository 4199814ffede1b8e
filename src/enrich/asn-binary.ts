import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { AsnArrays } from './asn-table.js';

/**
 * A prebuilt binary form of the ASN table: the sorted typed arrays as they sit in memory, and the
 * organisation names as one UTF-8 block with offsets, decoded only when a lookup returns them. Loading
 * it is one file read and views over it (about 10 MB for IPv4, no garbage), where parsing the CSV costs a
 * second and ~50 MB of peak memory; `npm run build` writes it (scripts/build-asn-cache.mjs).
 *
 * Layout: "VASN", u32 format version, u32 header length, the header as JSON ({ stamp, counts }), padding
 * to 8 bytes, then each array in a fixed order, each padded to 8 bytes.
 */
const MAGIC = 'VASN';
const VERSION = 1;

interface Header {
  stamp: string;
  n4: number;
  n6: number;
  orgs: number;
  orgBytes: number;
}

const pad8 = (n: number) => (n + 7) & ~7;

/** Writes `t` to `file` (atomically: a temporary file renamed over it). `stamp` names its source. */
export function writeAsnBinary(t: AsnArrays, file: string, stamp: string): void {
  const names: Buffer[] = [];
  const offsets = new Uint32Array(t.orgCount + 1);
  let at = 0;
  for (let i = 0; i < t.orgCount; i++) {
    const b = Buffer.from(t.orgName(i) ?? '', 'utf8');
    names.push(b);
    offsets[i] = at;
    at += b.length;
  }
  offsets[t.orgCount] = at;
  const header: Header = {
    stamp,
    n4: t.starts4.length,
    n6: t.startHi.length,
    orgs: t.orgCount,
    orgBytes: at,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const pre = Buffer.alloc(pad8(12 + json.length));
  pre.write(MAGIC, 0, 'latin1');
  pre.writeUInt32LE(VERSION, 4);
  pre.writeUInt32LE(json.length, 8);
  json.copy(pre, 12);
  const parts: Uint8Array[] = [pre];
  const add = (a: ArrayBufferView) => {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    parts.push(bytes);
    if (pad8(bytes.length) > bytes.length) parts.push(new Uint8Array(pad8(bytes.length) - bytes.length));
  };
  for (const a of arraysOf(t)) add(a);
  add(offsets);
  add(Buffer.concat(names));
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    for (const p of parts) writeSync(fd, p);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function arraysOf(t: AsnArrays): ArrayBufferView[] {
  return [t.starts4, t.ends4, t.asns4, t.orgs4, t.startHi, t.startLo, t.endHi, t.endLo, t.asns6, t.orgs6];
}

/**
 * The table in `file`, or undefined when the file is missing, of another format version, written from
 * another source than `stamp` (the bundled CSV was updated), or truncated — the caller then parses the
 * CSV instead.
 */
export function readAsnBinary(file: string, stamp: string): AsnArrays | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return undefined;
  }
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== MAGIC || buf.readUInt32LE(4) !== VERSION)
    return undefined;
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + buf.readUInt32LE(8))) as Header;
  } catch {
    return undefined;
  }
  if (header.stamp !== stamp) return undefined;
  // Typed-array views need their offsets aligned to the element size; a pooled buffer may not be.
  const bytes = buf.byteOffset % 8 === 0 ? buf : Buffer.from(buf);
  const { n4, n6, orgs, orgBytes } = header;
  const sizes = [
    n4 * 4,
    n4 * 4,
    n4 * 4,
    n4 * 4,
    n6 * 8,
    n6 * 8,
    n6 * 8,
    n6 * 8,
    n6 * 4,
    n6 * 4,
    (orgs + 1) * 4,
    orgBytes,
  ];
  let at = pad8(12 + buf.readUInt32LE(8));
  const expected = sizes.reduce((sum, n) => sum + pad8(n), at);
  if (bytes.length !== expected) return undefined;
  const next = (n: number) => {
    const from = at;
    at += pad8(n);
    return bytes.byteOffset + from;
  };
  const u32 = (n: number) => new Uint32Array(bytes.buffer, next(n * 4), n);
  const u64 = (n: number) => new BigUint64Array(bytes.buffer, next(n * 8), n);
  const starts4 = u32(n4);
  const ends4 = u32(n4);
  const asns4 = u32(n4);
  const orgs4 = u32(n4);
  const startHi = u64(n6);
  const startLo = u64(n6);
  const endHi = u64(n6);
  const endLo = u64(n6);
  const asns6 = u32(n6);
  const orgs6 = u32(n6);
  const offsets = u32(orgs + 1);
  const names = bytes.subarray(at, at + orgBytes);
  return {
    starts4,
    ends4,
    asns4,
    orgs4,
    startHi,
    startLo,
    endHi,
    endLo,
    asns6,
    orgs6,
    orgCount: orgs,
    orgName: (i) => (i < orgs ? names.toString('utf8', offsets[i]!, offsets[i + 1]!) : undefined),
  };
}
