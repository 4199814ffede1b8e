// End-to-end latency of `vigil serve` (issue 3): from a record's arrival (HTTP ingest, or a file written
// into a watched folder) to the alert received by a local webhook receiver and by a local SMTP server,
// under a background load of 1,000 benign records/s. Run: `npm run bench:latency`.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

const ACCOUNT = '123456789012';
const dir = mkdtempSync(join(tmpdir(), 'vigil-latency-'));
mkdirSync(join(dir, 'logs'));
const sent = new Map(); // marker -> send time
const webhookLatency = [];
const smtpLatency = [];

function record(id, eventName, extra = {}) {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/bench`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAEXAMPLEBENCH0001',
      userName: 'bench',
    },
    eventTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: eventName === 'StopLogging' ? 'cloudtrail.amazonaws.com' : 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.30',
    requestParameters: {},
    responseElements: null,
    eventID: id,
    readOnly: eventName !== 'StopLogging',
    eventType: 'AwsApiCall',
    recipientAccountId: ACCOUNT,
    ...extra,
  };
}
const marker = (body) => /bench-trail-(\d+)/.exec(body)?.[0];

const webhook = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const m = marker(body);
    if (m && sent.has(m)) webhookLatency.push(performance.now() - sent.get(m));
    res.writeHead(200).end('ok');
  });
});
await new Promise((r) => webhook.listen(0, '127.0.0.1', r));
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, _s, cb) {
    let body = '';
    stream.on('data', (c) => (body += c));
    stream.on('end', () => {
      const m = marker(body);
      if (m && sent.has(m)) smtpLatency.push(performance.now() - sent.get(m));
      cb();
    });
  },
});
await new Promise((r) => smtp.listen(0, '127.0.0.1', r));

const config = {
  server: { host: '127.0.0.1', port: 0 },
  store: { sqlite: join(dir, 'vigil.db') },
  sources: [{ id: 'folder', kind: 'folder', path: join(dir, 'logs'), pollSeconds: 0.1 }],
  channels: [
    {
      id: 'hook',
      kind: 'webhook',
      url: `http://127.0.0.1:${webhook.address().port}/`,
      secret: { env: 'HOOK_SECRET' },
    },
    {
      id: 'mail',
      kind: 'email',
      host: '127.0.0.1',
      port: smtp.server.address().port,
      from: 'vigil@example.com',
      to: ['soc@example.com'],
    },
  ],
  routes: [
    { name: 'high', pattern: { detail: { severityLabel: ['HIGH', 'CRITICAL'] } }, targets: ['hook', 'mail'] },
  ],
};
const configFile = join(dir, 'vigil.json.yaml');
writeFileSync(configFile, JSON.stringify(config));
const child = spawn(process.execPath, ['bin/vigil.js', 'serve', '--config', configFile], {
  env: { ...process.env, HOOK_SECRET: 'x' },
  stdio: ['ignore', 'ignore', 'pipe'],
});
const base = await new Promise((resolve, reject) => {
  child.stderr.on('data', (d) => {
    const m = /serving on (http:\/\/[^\s:]+:\d+)/.exec(String(d));
    if (m) resolve(m[1]);
  });
  child.on('exit', (code) => reject(new Error(`vigil serve exited (${code})`)));
});
const ingest = (records) =>
  fetch(`${base}/ingest/cloudtrail`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(records),
  });

// Background: 1,000 benign records/s in 10 batches of 100 per second.
let n = 0;
const background = setInterval(
  () => void ingest(Array.from({ length: 100 }, () => record(`bg-${n++}`, 'DescribeInstances'))),
  100,
);

const SAMPLES = 60;
for (let i = 0; i < SAMPLES; i++) {
  const m = `bench-trail-${i}`;
  const rec = record(`m-${i}`, 'StopLogging', { requestParameters: { name: m } });
  sent.set(m, performance.now());
  if (i % 2) await ingest([rec]);
  else
    writeFileSync(
      join(dir, 'logs', `${ACCOUNT}_CloudTrail_us-east-1_20261120T${String(1000 + i)}Z_${i}.json`),
      JSON.stringify({ Records: [rec] }),
    );
  await new Promise((r) => setTimeout(r, 150));
}
const deadline = performance.now() + 15_000;
while ((webhookLatency.length < SAMPLES || smtpLatency.length < SAMPLES) && performance.now() < deadline)
  await new Promise((r) => setTimeout(r, 100));
clearInterval(background);
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
webhook.close();
smtp.close();
if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
else console.log(dir);

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const row = (name, xs, target) =>
  console.log(
    `${name.padEnd(8)} received ${String(xs.length).padStart(3)}/${SAMPLES}  p50 ${pct(xs, 50).toFixed(0).padStart(5)} ms  p99 ${pct(xs, 99).toFixed(0).padStart(5)} ms  (target p99 < ${target} ms: ${pct(xs, 99) < target && xs.length === SAMPLES ? 'PASS' : 'MISS'})`,
  );
console.log(
  `vigil serve end-to-end latency, ${SAMPLES} findings (half by HTTP ingest, half by files in a watched folder), background 1,000 records/s`,
);
row('webhook', webhookLatency, 1000);
row('smtp', smtpLatency, 2000);
