import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, resolveSecret } from './load.js';

describe('configuration', () => {
  it('gives the embedded defaults without a file', () => {
    const c = parseConfig(undefined, '(defaults)', {});
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(c.store.sqlite).toBe('./data/vigil.db');
    expect(c.alerting.realertWindow).toBe('24h');
    expect(Object.isFrozen(c.server)).toBe(true);
  });

  it('accepts the commented example config and the demo config as they ship', () => {
    const text = readFileSync(new URL('../../vigil.example.yaml', import.meta.url), 'utf8');
    expect(() => parseConfig(text, 'vigil.example.yaml', {})).not.toThrow();
    const demo = readFileSync(new URL('../../demo/vigil.demo.yaml', import.meta.url), 'utf8');
    const c = parseConfig(demo, 'demo/vigil.demo.yaml', {});
    expect(c.sources.map((s) => s.kind)).toEqual(['demo']);
    expect(c.routes[0]?.targets).toEqual(['console']);
  });

  it('reports every problem at once, each with its key path', () => {
    const text = [
      'server: { port: 99999, colour: blue }',
      'sources:',
      '  - { id: Bad_Id, kind: folder }',
      '  - { id: b, kind: ftp }',
      'channels: [{ id: mail, kind: email }, { id: mail, kind: log }]',
      'routes: [{ name: r, pattern: {}, targets: [pager] }]',
      'alerting: { realertWindow: soon }',
    ].join('\n');
    let error: ConfigError | undefined;
    try {
      parseConfig(text, 'vigil.yaml', {});
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const all = error!.problems.join('\n');
    expect(all).toMatch(/server\.port/);
    expect(all).toMatch(/server: Unrecognized key.*colour/);
    expect(all).toMatch(/sources\.0\.id/);
    expect(all).toMatch(/sources\.0\.path/);
    expect(all).toMatch(/sources\.1\.kind/);
    expect(all).toMatch(/alerting\.realertWindow/);
    expect(error!.message).toMatch(/^vigil\.yaml: invalid configuration/);
  });

  it('checks references between sections after the shapes are right', () => {
    expect(() =>
      parseConfig(
        'channels: [{ id: mail, kind: email }, { id: mail, kind: log }]\nroutes: [{ name: r, pattern: {}, targets: [pager] }]',
        'c.yaml',
        {},
      ),
    ).toThrow(/duplicate id "mail"[\s\S]*no channel with id "pager"/);
  });

  it('lets environment variables override file values', () => {
    const c = parseConfig('server: { port: 8080 }\ndetections: { experimental: false }', 'c.yaml', {
      VIGIL_SERVER_PORT: '9090',
      VIGIL_DETECTIONS_EXPERIMENTAL: 'true',
      VIGIL_STORE_SQLITE: '/var/lib/vigil/v.db',
    });
    expect(c.server.port).toBe(9090);
    expect(c.detections.experimental).toBe(true);
    expect(c.store.sqlite).toBe('/var/lib/vigil/v.db');
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => parseConfig('server:\n  port: [8080\n', 'c.yaml', {})).toThrow(/line \d+/);
  });

  it('keeps secrets as references and resolves them from the environment or a file', () => {
    const c = parseConfig('server: { ingestToken: { env: INGEST } }', 'c.yaml', {});
    expect(c.server.ingestToken).toEqual({ env: 'INGEST' });
    expect(resolveSecret({ env: 'INGEST' }, { INGEST: 's3cret' })).toBe('s3cret');
    expect(() => resolveSecret({ env: 'INGEST' }, {})).toThrow(/INGEST is not set/);
    expect(resolveSecret({ file: '/run/secret' }, {}, () => 'from-file\n')).toBe('from-file');
    expect(() => parseConfig('server: { ingestToken: "plain-text-token" }', 'c.yaml', {})).toThrow(
      /ingestToken/,
    );
  });

  it('reports playbook problems with the rest: unknown actions, channels, webhooks and routes', () => {
    const yaml = [
      'channels: [{ id: ops, kind: log }]',
      'routes: [{ name: all, pattern: { source: [vigil] }, targets: [ops] }]',
      'respond:',
      '  playbooks:',
      '    - id: p',
      '      trigger: { route: everything }',
      '      steps:',
      '        - { action: notify, params: { channel: pager, subject: s, text: t } }',
      '        - { action: webhook, params: { webhook: jira } }',
      '        - { action: ec2.melt-instance }',
    ].join('\n');
    let err: unknown;
    try {
      parseConfig(yaml, 'c.yaml', {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.join('\n');
    expect(text).toMatch(/trigger\.route "everything" is not a route/);
    expect(text).toMatch(/unknown action "ec2\.melt-instance"/);
    expect(text).toMatch(/respond\.playbooks\.0\.steps\.0\.params\.channel: no channel with id "pager"/);
    expect(text).toMatch(/respond\.playbooks\.0\.steps\.1\.params\.webhook: no webhook named "jira"/);
  });
});
