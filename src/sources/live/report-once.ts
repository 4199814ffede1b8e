import type { InputProblem } from '../../core/errors.js';

const MAX_REMEMBERED = 10_000;

/**
 * Wraps `onProblem` so the same problem (file, code, message) polled again and again is reported once.
 * The memory is bounded: past 10,000 distinct problems it starts afresh.
 */
export function reportOnce(onProblem: (p: InputProblem) => void): (p: InputProblem) => void {
  const seen = new Set<string>();
  return (p) => {
    const key = `${p.file}\u0000${p.code}\u0000${p.message}`;
    if (seen.has(key)) return;
    if (seen.size >= MAX_REMEMBERED) seen.clear();
    seen.add(key);
    onProblem(p);
  };
}
