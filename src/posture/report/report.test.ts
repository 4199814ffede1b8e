import { describe, expect, it } from 'vitest';
import { evaluate, loadBuiltinFramework } from '../frameworks.js';
import { runChecks } from '../run.js';
import { buildReport, escapeHtml, renderChecksHtml, renderFrameworkHtml, renderJson } from './index.js';
import { fixtureSnapshot, publicCheck, throwingCheck, versioningCheck } from './test-support.js';

const NOW = Date.parse('2025-06-01T00:00:00.000Z');
const EVIL = '<script>alert(1)</script>';

function report() {
  const snapshot = fixtureSnapshot([
    { name: 'evil"><img src=x onerror=alert(1)>', public: true, tags: { owner: EVIL } },
    { name: 'quiet' },
  ]);
  snapshot.accounts[0]!.alias = `<b>${EVIL}</b>`;
  const checks = [publicCheck, versioningCheck, throwingCheck];
  const results = runChecks(snapshot, checks);
  const evaluations = ['soc2', 'iso27001'].map((id) =>
    evaluate(loadBuiltinFramework(id as 'soc2'), results, [], NOW, { checksRun: checks.map((c) => c.id) }),
  );
  return buildReport({ snapshot, checks, results, evaluations, now: NOW });
}

/** Self-contained: no script, no external reference of any kind in attributes or CSS. */
function expectSelfContained(page: string): void {
  expect(page).not.toMatch(/<script/i);
  // Every real tag (escaped text has no `<`): no attribute that loads or links anything, no handlers.
  for (const tag of page.match(/<[a-zA-Z][^>]*>/g) ?? []) {
    expect(tag).not.toMatch(/\s(src|href|action|formaction|srcset|on[a-z]+)\s*=/i);
  }
  expect(page).not.toMatch(/url\(/i);
  expect(page).not.toMatch(/@import/i);
  expect(page).not.toMatch(/<(link|img|iframe|object|embed|base)\b/i);
  expect(page).toContain('@media print');
  expect(page).toContain("default-src 'none'");
}

describe('HTML reports', () => {
  it('escapes attacker-controlled names, tags and aliases in the framework report', () => {
    const page = renderFrameworkHtml(report(), 'soc2');
    expectSelfContained(page);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('evil&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&lt;b&gt;');
    // The failing bucket is listed under the control with the check's remediation.
    expect(page).toContain('Fix s3-bucket-public.');
    expect(page).toContain('aws s3api fix --id s3-bucket-public');
    expect(page).toContain('checks pass, evidence needed');
    // Controls whose checks did not run are unknown, never passing.
    expect(page).toContain('Unknown (no data)');
    expect(page).toContain('Cannot decide: config-enabled did not run; securityhub-enabled did not run.');
    expect(page).toContain('Manual: awaiting evidence');
    // The standard's address is shown as text, never as a link.
    expect(page).toContain('https://www.aicpa-cima.com/');
  });

  it('the plain checks report is self-contained and escapes too', () => {
    const page = renderChecksHtml(report());
    expectSelfContained(page);
    expect(page).not.toContain(EVIL);
    expect(page).toContain('&lt;script&gt;');
    expect(page).toContain('Check s3-bucket-mfa-delete failed to run: boom');
  });

  it('escapeHtml covers the five characters that matter', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('JSON report', () => {
  it('has the documented shape', () => {
    const parsed = JSON.parse(renderJson(report()));
    expect(Object.keys(parsed)).toEqual([
      'format',
      'version',
      'generatedAt',
      'snapshot',
      'checks',
      'frameworks',
      'warnings',
    ]);
    expect(parsed).toMatchObject({
      format: 'vigil-posture-report',
      version: 1,
      generatedAt: '2025-06-01T00:00:00.000Z',
      snapshot: {
        collectedAt: '2025-05-01T10:00:00.000Z',
        accounts: [{ accountId: '111122223333' }],
        collectionErrors: [],
      },
      checks: { summary: { checks: 3, results: 5, PASS: 3, FAIL: 1, UNKNOWN: 0, ERROR: 1 } },
    });
    const pub = parsed.checks.items.find((c: { id: string }) => c.id === 's3-bucket-public');
    expect(pub).toMatchObject({
      status: 'FAIL',
      severity: 'HIGH',
      counts: { PASS: 1, FAIL: 1 },
      findingType: 'Policy:Fixture/s3-bucket-public',
    });
    expect(pub.results[0]).toEqual({
      status: 'FAIL',
      checkId: 's3-bucket-public',
      accountId: '111122223333',
      region: 'eu-west-1',
      resource: { type: 'AwsS3Bucket', id: 'evil"><img src=x onerror=alert(1)>' },
      message: `Bucket evil"><img src=x onerror=alert(1)> (owner ${EVIL}) allows anyone to read objects.`,
    });
    expect(parsed.frameworks.map((f: { framework: { id: string } }) => f.framework.id)).toEqual([
      'soc2',
      'iso27001',
    ]);
    const cc61 = parsed.frameworks[0].controls.find((c: { id: string }) => c.id === 'CC6.1');
    expect(cc61).toMatchObject({ status: 'FAIL', coverage: 'partial' });
    expect(cc61.failing).toHaveLength(1);
    expect(parsed.frameworks[0].summary).toMatchObject({ controls: 61 });
  });
});
