export { compileSigma, type CompileSigmaOptions } from './compile.js';
export { createJsonText, type JsonText } from './json-text.js';
export { loadSigmaRule, pascalCase, SIGMAHQ_URL } from './rule.js';
export { loadSigmaDir, type SigmaDirResult } from './load-dir.js';
export { mapAttackTags, type MitreTags } from './mitre.js';
export { SigmaSyntaxError, SigmaUnsupportedError } from './errors.js';
