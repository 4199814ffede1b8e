import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actionsMarkdown, DOCS_END, DOCS_START, withActionsTable } from './docs.js';
import { ALL_ACTIONS } from './registry.js';

/** Table rows as trimmed cells: prettier pads markdown tables, which changes nothing that is said. */
const normalize = (md: string) =>
  md
    .split('\n')
    .map((line) =>
      line.startsWith('|')
        ? line
            .split(/(?<!\\)\|/)
            .map((c) => c.trim().replace(/^-+$/, '-'))
            .join('|')
        : line.trim(),
    )
    .join('\n');

describe('README: response actions', () => {
  it('documents every action with the IAM permissions it needs (run `npm run docs:actions` when this fails)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = actionsMarkdown(ALL_ACTIONS);
    expect(normalize(readme)).toContain(normalize(table));
    for (const a of ALL_ACTIONS) {
      expect(table).toContain(`\`${a.name}\``);
      for (const p of a.permissions) expect(p).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
    }
  });

  it('replaces only the generated section', () => {
    const doc = `# T\n\nbefore\n\n${DOCS_START}\nold\n${DOCS_END}\n\nafter\n`;
    expect(withActionsTable(doc, `${DOCS_START}\nnew\n${DOCS_END}`)).toBe(
      `# T\n\nbefore\n\n${DOCS_START}\nnew\n${DOCS_END}\n\nafter\n`,
    );
  });
});
