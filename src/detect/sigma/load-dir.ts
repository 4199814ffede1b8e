import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Detection } from '../types.js';
import { createFieldGetter } from '../fields/index.js';
import { compileSigma } from './compile.js';
import { createJsonText } from './json-text.js';
import { loadSigmaRule } from './rule.js';

export interface SigmaDirResult {
  detections: Detection[];
  /** Rules that could not be loaded, each with why. Loading never stops at one. */
  problems: { file: string; reason: string }[];
}

/** Loads every `.yml`/`.yaml` Sigma rule under `dir` (recursively, in name order), compiling each to validate it. */
export function loadSigmaDir(dir: string): SigmaDirResult {
  const result: SigmaDirResult = { detections: [], problems: [] };
  const getField = createFieldGetter();
  const jsonText = createJsonText();
  const seen = new Map<string, string>();
  for (const file of ruleFiles(dir, result.problems)) {
    try {
      const detection = loadSigmaRule(readFileSync(file, 'utf8'), file);
      // loadSigmaRule validated the block; compiling with the engine's getter and memo checks it as the engine will.
      compileSigma(detection.detection, getField, { jsonText });
      const other = seen.get(detection.id);
      if (other)
        throw new Error(`duplicate rule id ${detection.id.slice('sigma-'.length)} (also in ${other})`);
      seen.set(detection.id, file);
      result.detections.push(detection);
    } catch (err) {
      result.problems.push({ file, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}

function ruleFiles(dir: string, problems: SigmaDirResult['problems']): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    problems.push({ file: dir, reason: `cannot read directory: ${(err as Error).message}` });
    return out;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...ruleFiles(path, problems));
    else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) out.push(path);
  }
  return out;
}
