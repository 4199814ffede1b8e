/** An event pattern that cannot be compiled; the message names where in the pattern and what is wrong. */
export class PatternError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(path ? `${path}: ${problem}` : problem);
    this.name = 'PatternError';
  }
}
