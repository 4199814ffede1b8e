#!/usr/bin/env node
// Baseline (a): the least a CloudTrail reader must do — gunzip and JSON.parse every log file on one
// core, counting records. Prints one JSON line: { files, records, compressedBytes, uncompressedBytes }.
//
//   node bench/baseline-node.mjs <corpus-dir>

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { listLogFiles } from './corpus/files.mjs';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/baseline-node.mjs <corpus-dir>');
  process.exit(2);
}
const result = { files: 0, records: 0, compressedBytes: 0, uncompressedBytes: 0 };
for (const file of listLogFiles(dir)) {
  const gz = readFileSync(file);
  const json = gunzipSync(gz);
  const doc = JSON.parse(json.toString('utf8'));
  result.files += 1;
  result.records += Array.isArray(doc.Records) ? doc.Records.length : 0;
  result.compressedBytes += gz.length;
  result.uncompressedBytes += json.length;
}
console.log(JSON.stringify(result));
