import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from './check-ids.js';
import type { EvidenceNote } from './evidence.js';
import {
  evaluate,
  FRAMEWORK_IDS,
  FrameworkFileError,
  loadBuiltinFramework,
  loadFramework,
  type Framework,
} from './frameworks.js';
import type { PostureResult } from './run.js';

const NOW = Date.parse('2025-06-01T00:00:00.000Z');

describe('built-in framework files', () => {
  const expectedCounts: Record<string, number> = {
    soc2: 61,
    gdpr: 18,
    iso27001: 93,
    'nist-800-53': 56,
    'nist-csf': 106,
  };

  for (const id of FRAMEWORK_IDS) {
    it(`${id} loads, and every control is mapped to known checks or manual with evidence`, () => {
      const fw = loadBuiltinFramework(id);
      expect(fw.controls).toHaveLength(expectedCounts[id]!);
      for (const c of fw.controls) {
        if (c.manual) {
          expect(c.checks, c.id).toBeUndefined();
          expect(c.evidence, c.id).toBeTruthy();
        } else {
          expect(c.checks!.length, c.id).toBeGreaterThan(0);
          for (const check of c.checks!) expect(CHECK_IDS, `${id} ${c.id}`).toContain(check);
          if (c.coverage === 'partial') expect(c.evidence, c.id).toBeTruthy();
        }
      }
      // The scope names its size, so a reader knows what "all" means for this file.
      expect(fw.scope).toContain(String(expectedCounts[id]));
    });
  }

  it('ISO 27001 lists A.5.1–A.5.37, A.6.1–A.6.8, A.7.1–A.7.14 and A.8.1–A.8.34', () => {
    const ids = loadBuiltinFramework('iso27001').controls.map((c) => c.id);
    const want = [
      ...Array.from({ length: 37 }, (_, i) => `A.5.${i + 1}`),
      ...Array.from({ length: 8 }, (_, i) => `A.6.${i + 1}`),
      ...Array.from({ length: 14 }, (_, i) => `A.7.${i + 1}`),
      ...Array.from({ length: 34 }, (_, i) => `A.8.${i + 1}`),
    ];
    expect(ids).toEqual(want);
  });

  it('maps the controls the standards are known for to the matching checks', () => {
    const checksOf = (fw: string, id: string) =>
      loadBuiltinFramework(fw as Framework['id']).controls.find((c) => c.id === id)?.checks ?? [];
    expect(checksOf('iso27001', 'A.8.15')).toContain('cloudtrail-multi-region');
    expect(checksOf('iso27001', 'A.5.15')).toContain('s3-bucket-public');
    expect(checksOf('nist-800-53', 'AU-2')).toContain('cloudtrail-multi-region');
    expect(checksOf('nist-800-53', 'AU-12')).toContain('cloudtrail-multi-region');
    expect(checksOf('nist-800-53', 'SC-28')).toContain('s3-bucket-kms-encryption');
    expect(checksOf('nist-800-53', 'IA-2(1)')).toEqual(
      expect.arrayContaining(['iam-root-mfa', 'iam-user-console-mfa']),
    );
    expect(checksOf('soc2', 'CC6.1')).toContain('iam-user-console-mfa');
    expect(checksOf('gdpr', 'Art. 32(1)(a)')).toContain('ec2-ebs-default-encryption');
  });

  it('every catalogue check is used by at least one framework', () => {
    const used = new Set(
      FRAMEWORK_IDS.flatMap((id) => loadBuiltinFramework(id).controls.flatMap((c) => c.checks ?? [])),
    );
    expect(CHECK_IDS.filter((id) => !used.has(id))).toEqual([]);
  });
});

function tempFramework(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-fw-')), 'x.yaml');
  writeFileSync(file, yaml);
  return file;
}

const HEAD = `id: soc2\nname: Test\nversion: "1"\nsource: example\nscope: test\ncontrols:\n`;

describe('loadFramework', () => {
  it('names the file and the control for an unknown check id', () => {
    const file = tempFramework(
      `${HEAD}  - id: CC6.1\n    title: t\n    coverage: full\n    checks: [s3-bucket-public, s3-bucket-publik]\n`,
    );
    expect(() => loadFramework(file)).toThrow(FrameworkFileError);
    expect(() => loadFramework(file)).toThrow(
      `${file}: invalid framework mapping: control CC6.1: unknown check id "s3-bucket-publik"`,
    );
  });

  it('rejects a control neither mapped nor manual, and a partial one without evidence, naming each', () => {
    const file = tempFramework(
      `${HEAD}  - id: CC1.1\n    title: t\n  - id: CC6.2\n    title: t\n    coverage: partial\n    checks: [iam-root-mfa]\n`,
    );
    let err: FrameworkFileError | undefined;
    try {
      loadFramework(file);
    } catch (e) {
      err = e as FrameworkFileError;
    }
    expect(err?.problems).toEqual([
      'control CC1.1: map the control to checks or mark it `manual: true`',
      'control CC6.2: a partially covered control needs `evidence` for the part the checks do not cover',
    ]);
  });

  it('rejects duplicate control ids', () => {
    const c = `  - id: X\n    title: t\n    manual: true\n    evidence: e\n`;
    expect(() => loadFramework(tempFramework(`${HEAD}${c}${c}`))).toThrow('control X: listed twice');
  });
});

const FW: Framework = {
  id: 'soc2',
  name: 'Test',
  version: '1',
  source: 'example',
  scope: 'test',
  controls: [
    { id: 'FULL', title: 'full', coverage: 'full', checks: ['s3-bucket-public'] },
    { id: 'PART', title: 'part', coverage: 'partial', checks: ['s3-bucket-versioning'], evidence: 'backups' },
    {
      id: 'BOTH',
      title: 'both',
      coverage: 'partial',
      checks: ['s3-bucket-public', 's3-bucket-versioning'],
      evidence: 'x',
    },
    { id: 'NODATA', title: 'no data', coverage: 'full', checks: ['kms-rotation'] },
    { id: 'ERR', title: 'error', coverage: 'full', checks: ['s3-bucket-mfa-delete'] },
    { id: 'NONE', title: 'nothing ran', coverage: 'full', checks: ['ec2-imdsv2'] },
    { id: 'MAN', title: 'manual', manual: true, evidence: 'a policy' },
    { id: 'MAN2', title: 'manual 2', manual: true, evidence: 'a plan' },
  ],
};

function result(checkId: string, status: PostureResult['status'], id = 'b1'): PostureResult {
  return {
    checkId,
    status,
    accountId: '1',
    resource: { type: 'AwsS3Bucket', id },
    message: `${checkId} ${status} ${id}`,
  };
}

function note(control: string, expires: string, id = `n${control.toLowerCase()}0000`): EvidenceNote {
  return {
    id,
    framework: 'soc2',
    control,
    note: 'signed policy',
    by: 'alice',
    addedAt: '2025-01-01T00:00:00.000Z',
    expires,
  };
}

describe('evaluate', () => {
  const passing = [
    result('s3-bucket-public', 'PASS'),
    result('s3-bucket-versioning', 'PASS'),
    result('kms-rotation', 'UNKNOWN'),
    result('s3-bucket-mfa-delete', 'ERROR'),
  ];
  const ran = [
    's3-bucket-public',
    's3-bucket-versioning',
    'kms-rotation',
    's3-bucket-mfa-delete',
    'ec2-imdsv2',
  ];

  it('gives each kind of control its status', () => {
    const ev = evaluate(FW, passing, [note('MAN', '2025-12-31T00:00:00.000Z')], NOW, { checksRun: ran });
    const status = Object.fromEntries(ev.controls.map((c) => [c.id, c.status]));
    expect(status).toEqual({
      FULL: 'PASS',
      PART: 'PARTIAL',
      BOTH: 'PARTIAL',
      NODATA: 'UNKNOWN',
      ERR: 'UNKNOWN',
      NONE: 'UNKNOWN',
      MAN: 'MANUAL-EVIDENCED',
      MAN2: 'MANUAL-AWAITING',
    });
    const part = ev.controls.find((c) => c.id === 'PART')!;
    expect(part.detail).toBe('Automated checks pass; remaining evidence needed.');
    expect(part.evidenceNeeded).toBe('backups');
    expect(ev.controls.find((c) => c.id === 'ERR')!.detail).toBe(
      'Cannot decide: s3-bucket-mfa-delete failed to run.',
    );
    expect(ev.controls.find((c) => c.id === 'NONE')!.detail).toBe(
      'Cannot decide: no mapped check found a resource to look at.',
    );
    expect(ev.summary).toMatchObject({
      controls: 8,
      automated: 6,
      fullyAutomated: 4,
      manual: 2,
      coverage: 0.75,
    });
    expect(ev.summary.statuses).toEqual({
      PASS: 1,
      FAIL: 0,
      PARTIAL: 2,
      UNKNOWN: 3,
      'MANUAL-AWAITING': 1,
      'MANUAL-EVIDENCED': 1,
    });
  });

  it('fails a control when any mapped check fails, listing the failing resources', () => {
    const results = [...passing, result('s3-bucket-public', 'FAIL', 'leaky')];
    const ev = evaluate(FW, results, [], NOW);
    const full = ev.controls.find((c) => c.id === 'FULL')!;
    expect(full.status).toBe('FAIL');
    expect(full.failing.map((r) => r.resource.id)).toEqual(['leaky']);
    expect(ev.controls.find((c) => c.id === 'BOTH')!.status).toBe('FAIL');
    // Evidence never overrides a failing check.
    const withEvidence = evaluate(FW, results, [note('BOTH', '2026-01-01T00:00:00.000Z')], NOW);
    expect(withEvidence.controls.find((c) => c.id === 'BOTH')!.status).toBe('FAIL');
  });

  it('a mapped check that did not run leaves the control UNKNOWN, never PASS', () => {
    const ev = evaluate(FW, [result('s3-bucket-public', 'PASS')], [], NOW, { checksRun: ['kms-rotation'] });
    expect(ev.controls.find((c) => c.id === 'FULL')!).toMatchObject({
      status: 'UNKNOWN',
      detail: 'Cannot decide: s3-bucket-public did not run.',
    });
  });

  it('partial controls with passing checks and valid evidence are evidenced, not passed', () => {
    const ev = evaluate(FW, passing, [note('PART', '2025-07-01')], NOW);
    expect(ev.controls.find((c) => c.id === 'PART')!).toMatchObject({
      status: 'MANUAL-EVIDENCED',
      detail: 'Automated checks pass; the rest is evidenced by alice.',
    });
  });

  it('ignores expired evidence with a warning, and evidence for unknown controls', () => {
    const expired = note('MAN', '2025-05-31T23:59:59.000Z', 'expired01');
    const stray = note('NOPE', '2026-01-01T00:00:00.000Z', 'stray0001');
    const other = { ...note('MAN', '2026-01-01T00:00:00.000Z', 'other0001'), framework: 'gdpr' };
    const ev = evaluate(FW, passing, [expired, stray, other], NOW);
    expect(ev.controls.find((c) => c.id === 'MAN')!.status).toBe('MANUAL-AWAITING');
    expect(ev.warnings).toEqual([
      'evidence expired01 for soc2 MAN expired on 2025-05-31T23:59:59.000Z: ignored',
      'evidence stray0001 names soc2 control NOPE, which does not exist: ignored',
    ]);
  });

  it('never reports a built-in framework control as PASS on checks alone unless it is fully covered', () => {
    for (const id of FRAMEWORK_IDS) {
      const fw = loadBuiltinFramework(id);
      const all = CHECK_IDS.map((c) => result(c, 'PASS'));
      const ev = evaluate(fw, all, [], NOW);
      for (const c of ev.controls) {
        const mapped = fw.controls.find((x) => x.id === c.id)!;
        if (c.status === 'PASS') expect(mapped.coverage, `${id} ${c.id}`).toBe('full');
        if (mapped.manual) expect(c.status).toBe('MANUAL-AWAITING');
      }
    }
  });
});
