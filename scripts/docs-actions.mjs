// `npm run docs:actions`: rewrites the README's table of response actions from the actions' own
// descriptions and IAM permissions (src/respond/docs.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { actionsMarkdown, withActionsTable } from '../dist/respond/docs.js';
import { ALL_ACTIONS } from '../dist/respond/registry.js';

const file = new URL('../README.md', import.meta.url);
writeFileSync(file, withActionsTable(readFileSync(file, 'utf8'), actionsMarkdown(ALL_ACTIONS)));
