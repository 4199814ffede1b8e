import { VigilError } from '../../core/errors.js';

/** The rule uses a Sigma feature Vigil does not evaluate (aggregations, placeholders, unknown modifiers…). */
export class SigmaUnsupportedError extends VigilError {
  constructor(message: string) {
    super('VIGIL_RULE_UNSUPPORTED', message);
    this.name = 'SigmaUnsupportedError';
  }
}

/** The detection block is malformed; the message names the selection or the condition position. */
export class SigmaSyntaxError extends VigilError {
  constructor(message: string) {
    super('VIGIL_RULE_INVALID', message);
    this.name = 'SigmaSyntaxError';
  }
}
