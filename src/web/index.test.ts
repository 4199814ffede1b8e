import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, defaultWebRoot, registerWeb } from './index.js';

const app = fastify();
beforeAll(async () => {
  await registerWeb(app);
  app.get('/api/ping', async () => ({ ok: true }));
  await app.ready();
});
afterAll(() => app.close());

describe('registerWeb', () => {
  it('serves the page with a strict CSP and the other security headers', async () => {
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body).toContain('<script type="module" src="/assets/js/app.js"></script>');
  });

  it('serves the modules, the stylesheet and chart.js under /assets with the same headers', async () => {
    for (const [url, type] of [
      ['/assets/js/app.js', /javascript/],
      ['/assets/js/pages/findings.js', /javascript/],
      ['/assets/css/app.css', /^text\/css/],
      ['/assets/vendor/chart.umd.js', /javascript/],
    ] as const) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(type);
      expect(res.headers['content-security-policy'], url).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
    expect((await app.inject('/assets/vendor/chart.umd.js')).body).toContain('Chart');
  });

  it('serves nothing outside the UI folder', async () => {
    for (const url of [
      '/assets/../index.ts',
      '/assets/%2e%2e/index.ts',
      '/assets/..%2findex.test.ts',
      '/assets/nope.js',
    ]) {
      const res = await app.inject(url);
      // 404, or 403 where the static server refuses an encoded traversal outright.
      expect([403, 404], url).toContain(res.statusCode);
      expect(res.body, url).not.toContain('registerWeb');
    }
  });

  it('leaves other routes without the UI headers', async () => {
    const res = await app.inject('/api/ping');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBeUndefined();
  });

  it('has no inline script, inline style or HTML parsing of strings in the UI sources', () => {
    const root = defaultWebRoot();
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son\w+=/i);
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const src = readFileSync(join(root, f), 'utf8');
      expect(src, f).not.toMatch(
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/,
      );
    }
  });
});
