import type { ControlEvaluation, ControlStatus, FrameworkEvaluation } from '../frameworks.js';
import type { PostureReport, ReportCheck, ReportResult } from './json.js';

/**
 * The printable HTML reports: one self-contained page (inline CSS, no scripts, no fetched assets, no links
 * out) that can be mailed, archived or printed to PDF. Every value is escaped: bucket names, tags, role
 * names and messages come from AWS accounts and can be chosen by an attacker. The page also forbids
 * scripts and remote loads in its own Content-Security-Policy, so a missed escape could not run anything.
 */

/** Markup that is already safe; everything else interpolated into `html` is escaped. */
class Markup {
  constructor(readonly value: string) {}
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function piece(v: unknown): string {
  if (v instanceof Markup) return v.value;
  if (Array.isArray(v)) return v.map(piece).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(String(v));
}

function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += piece(v) + strings[i + 1]!;
  });
  return new Markup(out);
}

const CSS = `
:root { --pass:#1a7f37; --fail:#cf222e; --warn:#9a6700; --muted:#57606a; --line:#d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:#1f2328; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .25rem; }
.meta, .muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: .5rem; margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; min-width: 8rem; }
.card b { display: block; font-size: 1.4rem; }
.status { display: inline-block; font-weight: 600; font-size: .8rem; padding: 0 .4rem; border-radius: 4px; border: 1px solid currentColor; white-space: nowrap; }
.s-PASS { color: var(--pass); } .s-FAIL, .s-ERROR { color: var(--fail); }
.s-PARTIAL, .s-UNKNOWN, .s-MANUAL-AWAITING, .s-NO-RESOURCES, .s-NOT-RUN { color: var(--warn); } .s-MANUAL-EVIDENCED { color: #0969da; }
.control { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: .5rem 0; page-break-inside: avoid; break-inside: avoid; }
.control header { display: flex; gap: .5rem; align-items: baseline; flex-wrap: wrap; }
.control header .id { font-weight: 700; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: .2rem .4rem; }
th { font-size: .8rem; color: var(--muted); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .8rem; }
pre { background: #f6f8fa; padding: .5rem; border-radius: 4px; white-space: pre-wrap; word-break: break-all; }
.resource { word-break: break-all; }
.warnings { border-left: 4px solid var(--warn); padding-left: .75rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  h2 { page-break-after: avoid; break-after: avoid; }
  .control, tr { page-break-inside: avoid; break-inside: avoid; }
  pre { background: none; border: 1px solid var(--line); }
  .card { border-color: #999; }
}
`;

const STATUS_LABEL: Record<ControlStatus, string> = {
  PASS: 'Pass (automated)',
  FAIL: 'Fail',
  PARTIAL: 'Automated checks pass; remaining evidence needed',
  UNKNOWN: 'Unknown (no data)',
  'MANUAL-AWAITING': 'Manual: awaiting evidence',
  'MANUAL-EVIDENCED': 'Manual: evidenced',
};

function badge(status: string, label = status): Markup {
  return html`<span class="status s-${status.replace(/[^A-Z-]/g, '')}">${label}</span>`;
}

function page(title: string, body: Markup): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.value}
</body>
</html>
`;
}

function snapshotMeta(report: PostureReport): Markup {
  const accounts = report.snapshot.accounts.map((a) =>
    a.alias ? `${a.accountId} (${a.alias})` : a.accountId,
  );
  return html`<p class="meta">
      Snapshot collected ${report.snapshot.collectedAt} by ${report.snapshot.collector} · accounts:
      ${accounts.join(', ') || 'none'} · report generated ${report.generatedAt}
    </p>
    ${
      report.snapshot.collectionErrors.length
        ? html`<p class="meta">
            ${report.snapshot.collectionErrors.length} call(s) failed during collection; checks that needed
            their data report UNKNOWN.
          </p>`
        : ''
    }`;
}

function warnings(list: readonly string[]): Markup {
  if (!list.length) return html``;
  return html`<section class="warnings">
    <h3>Warnings</h3>
    <ul>
      ${list.map((w) => html`<li>${w}</li>`)}
    </ul>
  </section>`;
}

function remediation(check: ReportCheck): Markup {
  const r = check.remediation;
  return html`<div class="remediation">
    <p><b>Remediation:</b> ${r.text}</p>
    ${
      r.cli
        ? html`<p class="muted">AWS CLI</p>
            <pre>${r.cli}</pre>`
        : ''
    }
    ${
      r.console
        ? html`<p class="muted">Console</p>
            <p>${r.console}</p>`
        : ''
    }
    ${
      r.cdk
        ? html`<p class="muted">CDK</p>
            <pre>${r.cdk}</pre>`
        : ''
    }
    ${
      r.cloudformation
        ? html`<p class="muted">CloudFormation</p>
            <pre>${r.cloudformation}</pre>`
        : ''
    }
  </div>`;
}

function resultRows(results: readonly ReportResult[]): Markup {
  return html`<table>
    <thead>
      <tr>
        <th>Status</th>
        <th>Account</th>
        <th>Region</th>
        <th>Resource</th>
        <th>Result</th>
      </tr>
    </thead>
    <tbody>
      ${results.map(
        (r) =>
          html`<tr>
            <td>${badge(r.status)}</td>
            <td>${r.accountId}</td>
            <td>${r.region ?? '—'}</td>
            <td class="resource">${r.resource.type} ${r.resource.id}</td>
            <td>${r.message}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function controlBlock(c: ControlEvaluation, checks: ReadonlyMap<string, ReportCheck>): Markup {
  const failingChecks = [...new Set(c.failing.filter((r) => r.status === 'FAIL').map((r) => r.checkId))];
  return html`<article class="control" id="control-${c.id.replace(/[^A-Za-z0-9.-]/g, '_')}">
    <header>
      <span class="id">${c.id}</span><span>${c.title}</span>${badge(c.status, STATUS_LABEL[c.status])}
      <span class="muted">coverage: ${c.coverage}</span>
    </header>
    <p>${c.detail}</p>
    ${
      c.checks.length
        ? html`<p>
            <b>Mapped checks:</b> ${c.checks.map(
              (o, i) =>
                html`${i ? ', ' : ''}<code>${o.id}</code> ${badge(o.status)}${
                    o.pass + o.fail + o.unknown + o.error
                      ? html` <span class="muted"
                          >(${o.pass} pass, ${o.fail}
                          fail${o.unknown ? `, ${o.unknown} unknown` : ''}${
                            o.error ? `, ${o.error} error` : ''
                          })</span
                        >`
                      : ''
                  }`,
            )}
          </p>`
        : ''
    }
    ${failingChecks.map((id) => {
      const check = checks.get(id);
      const rows = c.failing.filter((r) => r.checkId === id);
      return html`<h3>${id}${check ? html` — ${check.title} (${check.severity})` : ''}</h3>
        ${resultRows(rows)}${check ? remediation(check) : ''}`;
    })}
    ${
      c.status === 'UNKNOWN' && c.failing.length
        ? html`<h3>Why unknown</h3>
            ${resultRows(c.failing)}`
        : ''
    }
    ${c.evidenceNeeded && c.status !== 'PASS' ? html`<p><b>Evidence needed:</b> ${c.evidenceNeeded}</p>` : ''}
    ${
      c.evidence.length
        ? html`<p><b>Evidence:</b></p>
            <ul>
              ${c.evidence.map(
                (n) =>
                  html`<li>
                    ${n.note} — ${n.by}, added ${n.addedAt}, expires
                    ${n.expires}${n.attachment ? html` · attachment: ${n.attachment}` : ''}
                  </li>`,
              )}
            </ul>`
        : ''
    }
  </article>`;
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

function frameworkSummary(fw: FrameworkEvaluation): Markup {
  const s = fw.summary;
  const card = (label: string, value: number | string) =>
    html`<div class="card"><b>${value}</b>${label}</div>`;
  return html`<div class="cards">
      ${card('controls', s.controls)}${card('fail', s.statuses.FAIL)}${card('pass (automated)', s.statuses.PASS)}
      ${card('checks pass, evidence needed', s.statuses.PARTIAL)}${card('unknown', s.statuses.UNKNOWN)}
      ${card('manual, awaiting evidence', s.statuses['MANUAL-AWAITING'])}${card('evidenced', s.statuses['MANUAL-EVIDENCED'])}
      ${card('automated coverage', pct(s.coverage))}
    </div>
    <p>
      ${s.automated} of ${s.controls} controls (${pct(s.coverage)}) have automated checks; ${s.fullyAutomated}
      are decided by checks alone. ${s.manual} controls need evidence from a person. A control is never
      reported compliant without a check: partially covered controls whose checks pass still need evidence for
      the rest.
    </p>`;
}

/** The HTML report of one framework. */
export function renderFrameworkHtml(report: PostureReport, frameworkId: string): string {
  const fw = report.frameworks.find((f) => f.framework.id === frameworkId);
  if (!fw) throw new Error(`the report has no framework "${frameworkId}"`);
  const checks = new Map(report.checks.items.map((c) => [c.id, c]));
  const groups = new Map<string, ControlEvaluation[]>();
  for (const c of fw.controls) {
    const key = c.group ?? '';
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const body = html`<h1>${fw.framework.name}</h1>
    <p class="meta">${fw.framework.version} · source (for reference, not fetched): ${fw.framework.source}</p>
    ${snapshotMeta(report)}
    <p>${fw.framework.scope}</p>
    <h2>Summary</h2>
    ${frameworkSummary(fw)} ${warnings(fw.warnings)}
    ${[...groups].map(([group, list]) => html`${group ? html`<h2>${group}</h2>` : ''}${list.map((c) => controlBlock(c, checks))}`)}`;
  return page(`${fw.framework.name} — Vigil posture report`, body);
}

/** The HTML report of the checks alone, with no framework. */
export function renderChecksHtml(report: PostureReport): string {
  const s = report.checks.summary;
  const failing = report.checks.items.filter((c) => c.status === 'FAIL' || c.status === 'ERROR');
  const others = report.checks.items.filter((c) => c.status !== 'FAIL' && c.status !== 'ERROR');
  const body = html`<h1>AWS posture checks</h1>
    ${snapshotMeta(report)}
    <h2>Summary</h2>
    <div class="cards">
      <div class="card"><b>${s.checks}</b>checks</div>
      <div class="card"><b>${s.FAIL}</b>failing results</div>
      <div class="card"><b>${s.PASS}</b>passing results</div>
      <div class="card"><b>${s.UNKNOWN}</b>unknown (no data)</div>
      <div class="card"><b>${s.ERROR}</b>checks that failed to run</div>
    </div>
    ${warnings(report.warnings)}
    <h2>Failing checks</h2>
    ${failing.length ? '' : html`<p>None.</p>`}
    ${failing.map(
      (c) =>
        html`<article class="control">
          <header>
            <span class="id">${c.id}</span><span>${c.title}</span>${badge(c.status)}
            <span class="muted">${c.severity} · ${c.service}</span>
          </header>
          <p>${c.rationale}</p>
          ${resultRows(c.results.filter((r) => r.status !== 'PASS'))} ${remediation(c)}
          ${
            c.references.cis?.length || c.references.fsbp?.length
              ? html`<p class="muted">
                  CIS ${c.references.cis?.join(', ') || '—'} · FSBP ${c.references.fsbp?.join(', ') || '—'}
                </p>`
              : ''
          }
        </article>`,
    )}
    <h2>Other checks</h2>
    <table>
      <thead>
        <tr>
          <th>Check</th>
          <th>Severity</th>
          <th>Status</th>
          <th>Pass</th>
          <th>Unknown</th>
        </tr>
      </thead>
      <tbody>
        ${others.map(
          (c) =>
            html`<tr>
              <td><code>${c.id}</code> ${c.title}</td>
              <td>${c.severity}</td>
              <td>${badge(c.status)}</td>
              <td>${c.counts.PASS}</td>
              <td>${c.counts.UNKNOWN}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  return page('Vigil posture checks', body);
}
