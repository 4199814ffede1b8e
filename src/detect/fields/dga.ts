import { DGA_MODEL } from './dga-model.js';
import { dgaFeatures, logistic, type DgaModel } from './dga-features.js';

/**
 * The DGA score of one domain label (the registered domain without its public suffix: `example` for
 * `www.example.co.uk`). Internationalized (`xn--`) labels score 0: their ASCII form is an encoding,
 * not letters a person chose.
 */
export function dgaScore(label: string, model: DgaModel = DGA_MODEL): number {
  const lower = label.toLowerCase();
  if (lower.length === 0 || lower.startsWith('xn--')) return 0;
  return logistic(dgaFeatures(lower, model.bigrams), model.weights);
}
