import { dnsRecord, flowRecord, tcpPair } from './net.js';
import { DB_IP, OFFICE_IPS, SERVICE_IPS, type Instance, type Vpc } from './org.js';
import type { DnsRecord, FlowRecord } from './output.js';
import type { Prng } from './prng.js';
import type { Scale } from './scale.js';

/**
 * Benign network activity per 10-minute window: internet clients reaching the load balancers, web
 * servers talking to the app tier and the database, agents calling SaaS through the NAT gateway,
 * CI fetching packages, the nightly ETL pulling from S3 through the gateway endpoint, admins on the
 * bastion — and the background noise of the internet: scanners probing common ports and SSH
 * password guessers, a few connections each. DNS: AWS endpoints, CDN names with hash-like labels,
 * package registries, and search-suffix NXDOMAINs.
 */
const WINDOW_S = 600;

/** Residential and mobile prefixes for web clients; scanners come from hosting providers worldwide. */
const CLIENT_PREFIXES = [
  '73.15',
  '98.207',
  '24.5',
  '71.190',
  '108.28',
  '86.12',
  '81.2',
  '92.40',
  '2.24',
  '174.63',
  '67.180',
  '50.47',
];
const SCANNER_PREFIXES = [
  '162.142.125',
  '167.94.138',
  '198.235.24',
  '205.210.31',
  '71.6.199',
  '89.248.165',
  '80.82.77',
  '118.25.6',
  '61.177.172',
  '218.92.0',
  '104.248.50',
  '64.62.197',
];
/** Research scanners (Censys, Shodan-like) that walk through many ports of a host over a day. */
const RESEARCH_SCANNERS = ['167.94.138.120', '162.142.125.221', '71.6.199.23', '198.235.24.156'];
const RESEARCH_PORTS = Array.from(
  { length: 60 },
  (_, i) =>
    [
      21, 22, 23, 25, 53, 80, 110, 143, 443, 445, 465, 587, 993, 995, 1433, 1521, 1723, 2049, 2375, 2376,
      3000, 3306, 3389, 4443, 5000, 5432, 5601, 5900, 5985, 6379, 6443, 7001, 8000, 8008, 8080, 8081, 8086,
      8443, 8888, 9000, 9090, 9200, 9300, 10000, 10250, 11211, 15672, 27017, 50000, 502, 102, 161, 389, 636,
      873, 1883, 2181, 4369, 5672, 6000,
    ][i] as number,
);
const SCAN_PORTS = [22, 23, 80, 443, 445, 3389, 8080, 5900, 6379, 9200, 2375, 8443, 21, 25, 1433, 3306];

const DOMAINS: Record<Instance['role'], [string, string][]> = {
  web: [
    ['api.stripe.com', SERVICE_IPS.stripe[0]],
    ['d3k1a9x7q2m5b8.cloudfront.net', '18.160.41.12'],
    ['intake.logs.datadoghq.com', SERVICE_IPS.datadog[0]],
    ['sts.us-east-1.amazonaws.com', '209.54.177.160'],
    ['orders-api.internal.acme.example', '10.0.12.40'],
  ],
  app: [
    ['acme-app-config.s3.us-east-1.amazonaws.com', SERVICE_IPS.s3[0]],
    ['secretsmanager.us-east-1.amazonaws.com', '52.46.145.233'],
    ['kms.us-east-1.amazonaws.com', '52.46.136.92'],
    ['acme-prod.cluster-c1x2y3z4w5v6.us-east-1.rds.amazonaws.com', DB_IP],
    ['api.stripe.com', SERVICE_IPS.stripe[1]],
    ['e3891.dscb.akamaiedge.net', '23.55.44.13'],
  ],
  bastion: [
    ['security.ubuntu.com', SERVICE_IPS.ubuntu[0]],
    ['ssm.us-east-1.amazonaws.com', '52.46.141.34'],
    ['ec2messages.us-east-1.amazonaws.com', '52.46.150.11'],
  ],
  ci: [
    ['github.com', SERVICE_IPS.github[0]],
    ['codeload.github.com', SERVICE_IPS.github[1]],
    ['registry.npmjs.org', SERVICE_IPS.npm[0]],
    ['objects.githubusercontent.com', '185.199.108.133'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', '52.4.192.18'],
    ['prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com', SERVICE_IPS.s3[2]],
    ['pypi.org', '151.101.0.223'],
    ['files.pythonhosted.org', '151.101.64.223'],
  ],
  etl: [
    ['acme-raw-events.s3.us-east-1.amazonaws.com', SERVICE_IPS.s3[1]],
    ['acme-curated.s3.us-east-1.amazonaws.com', SERVICE_IPS.s3[3]],
    ['dynamodb.us-east-1.amazonaws.com', SERVICE_IPS.dynamodb[0]],
    ['sts.us-east-1.amazonaws.com', '209.54.177.160'],
  ],
  'db-client': [],
  nat: [],
  alb: [],
};

export interface NetContext {
  rng: Prng;
  flow: (vpc: Vpc, rec: FlowRecord) => void;
  dns: (vpc: Vpc, rec: DnsRecord) => void;
  scale: Scale;
  instances: Instance[];
}

const ephemeral = (rng: Prng) => 32768 + rng.int(28000);
const clientIp = (rng: Prng) => `${rng.pick(CLIENT_PREFIXES)}.${rng.int(256)}.${1 + rng.int(254)}`;
const scannerIp = (rng: Prng) => `${rng.pick(SCANNER_PREFIXES)}.${1 + rng.int(254)}`;

export function benignNetworkWindow(ctx: NetContext, windowMs: number): void {
  const { rng, flow, dns, scale, instances } = ctx;
  const s0 = windowMs / 1000;
  const hour = new Date(windowMs).getUTCHours();
  const emit = (inst: Instance, recs: FlowRecord[]) => recs.forEach((r) => flow(inst.vpc, r));
  const span = () => {
    const start = s0 + rng.int(WINDOW_S - 60);
    return { start, end: start + 1 + rng.int(58) };
  };
  const byRole = (role: Instance['role']) => instances.filter((i) => i.role === role);
  const albs = byRole('alb');
  const webs = byRole('web');
  const apps = byRole('app');
  const nat = byRole('nat')[0] as Instance;
  // Web traffic follows the day: busiest in US daytime.
  const load = 0.4 + 0.6 * Math.max(0, Math.sin(((hour - 9) / 24) * 2 * Math.PI) + 0.3);

  for (let i = 0; i < Math.round(scale.webClientsPerWindow * load); i++) {
    const alb = rng.pick(albs);
    const bytes = 800 + rng.int(4000);
    emit(
      alb,
      tcpPair(alb, {
        src: clientIp(rng),
        dst: alb.ip,
        srcport: ephemeral(rng),
        dstport: 443,
        packets: 8 + rng.int(20),
        bytes,
        respBytes: bytes * (5 + rng.int(40)),
        ...span(),
        outbound: false,
      }),
    );
  }
  for (const web of webs) {
    for (let c = 0; c < 2; c++) {
      const alb = rng.pick(albs);
      emit(
        web,
        tcpPair(web, {
          src: alb.ip,
          dst: web.ip,
          srcport: ephemeral(rng),
          dstport: 8080,
          packets: 200 + rng.int(800),
          bytes: 90_000 + rng.int(400_000),
          respBytes: 800_000 + rng.int(4_000_000),
          ...span(),
          outbound: false,
        }),
      );
    }
    const app = rng.pick(apps);
    emit(
      web,
      tcpPair(web, {
        src: web.ip,
        dst: app.ip,
        srcport: ephemeral(rng),
        dstport: 8443,
        packets: 50 + rng.int(200),
        bytes: 20_000 + rng.int(90_000),
        respBytes: 60_000 + rng.int(300_000),
        ...span(),
        outbound: true,
      }),
    );
  }
  for (const inst of instances.filter((i) => i.role !== 'nat' && i.role !== 'alb')) {
    // Monitoring agent to Datadog through the NAT gateway (or the data VPC's own NAT).
    emit(
      inst,
      tcpPair(inst, {
        src: inst.ip,
        dst: rng.pick(SERVICE_IPS.datadog),
        srcport: ephemeral(rng),
        dstport: 443,
        packets: 20 + rng.int(30),
        bytes: 9000 + rng.int(30_000),
        respBytes: 2000 + rng.int(4000),
        ...span(),
        outbound: true,
        path: 8,
      }),
    );
  }
  for (const app of apps) {
    emit(
      app,
      tcpPair(app, {
        src: app.ip,
        dst: DB_IP,
        srcport: ephemeral(rng),
        dstport: 5432,
        packets: 100 + rng.int(900),
        bytes: 30_000 + rng.int(200_000),
        respBytes: 100_000 + rng.int(900_000),
        ...span(),
        outbound: true,
      }),
    );
    if (rng.chance(0.5))
      emit(
        app,
        tcpPair(app, {
          src: app.ip,
          dst: rng.pick(SERVICE_IPS.stripe),
          srcport: ephemeral(rng),
          dstport: 443,
          packets: 12,
          bytes: 3000 + rng.int(3000),
          respBytes: 6000 + rng.int(6000),
          ...span(),
          outbound: true,
          path: 8,
        }),
      );
  }
  // NAT gateway: translated connections leaving for the internet.
  for (let i = 0; i < 4; i++) {
    emit(
      nat,
      tcpPair(nat, {
        src: nat.ip,
        dst: rng.pick([...SERVICE_IPS.github, ...SERVICE_IPS.npm, ...SERVICE_IPS.ubuntu]),
        srcport: ephemeral(rng),
        dstport: 443,
        packets: 30 + rng.int(300),
        bytes: 4000 + rng.int(20_000),
        respBytes: 50_000 + rng.int(5_000_000),
        ...span(),
        outbound: true,
        path: 8,
      }),
    );
  }
  // CI fetches dependencies and pushes images during the working day.
  if (hour >= 13 && hour < 23) {
    for (const ci of byRole('ci')) {
      for (let i = 0; i < 3; i++) {
        emit(
          ci,
          tcpPair(ci, {
            src: ci.ip,
            dst: rng.pick([...SERVICE_IPS.github, ...SERVICE_IPS.npm]),
            srcport: ephemeral(rng),
            dstport: 443,
            packets: 100 + rng.int(3000),
            bytes: 10_000 + rng.int(50_000),
            respBytes: 1_000_000 + rng.int(40_000_000),
            ...span(),
            outbound: true,
            path: 8,
          }),
        );
      }
    }
  }
  // The nightly ETL pulls from S3 through the gateway endpoint (01:00–03:00 UTC), a trickle otherwise.
  for (const etl of byRole('etl')) {
    const n = hour >= 1 && hour < 3 ? 12 : 1;
    for (let i = 0; i < n; i++) {
      emit(
        etl,
        tcpPair(etl, {
          src: etl.ip,
          dst: rng.pick(SERVICE_IPS.s3),
          srcport: ephemeral(rng),
          dstport: 443,
          packets: 500 + rng.int(5000),
          bytes: 20_000 + rng.int(80_000),
          respBytes: 5_000_000 + rng.int(60_000_000),
          ...span(),
          outbound: true,
          path: 7,
          dstService: 'S3',
        }),
      );
    }
  }
  // Internet background noise against every public address: probes of common ports, SSH guessers.
  for (const target of instances.filter((i) => i.publicIp)) {
    const probes = Math.round((scale.scansPerHour / 6) * (0.5 + rng.next()));
    for (let p = 0; p < probes; p++) {
      const src = scannerIp(rng);
      const port = rng.pick(SCAN_PORTS);
      const open = (target.role === 'alb' && port === 443) || (target.role === 'bastion' && port === 22);
      const tries = port === 22 && open ? 1 + rng.int(4) : 1;
      for (let t = 0; t < tries; t++) {
        const { start, end } = span();
        if (open)
          emit(
            target,
            tcpPair(target, {
              src,
              dst: target.ip,
              srcport: ephemeral(rng),
              dstport: port,
              packets: 12 + rng.int(10),
              bytes: 2500 + rng.int(1500),
              respBytes: 3000 + rng.int(1500),
              start,
              end,
              outbound: false,
            }),
          );
        else
          flow(
            target.vpc,
            flowRecord(target, {
              src,
              dst: target.ip,
              srcport: ephemeral(rng),
              dstport: port,
              protocol: 6,
              packets: 1,
              bytes: 44 + rng.int(20),
              start,
              end: start,
              action: 'REJECT',
              direction: 'ingress',
            }),
          );
      }
    }
  }
  // Research scanners: one port of one public host now and then, many ports over the day.
  for (const target of instances.filter((i) => i.publicIp)) {
    if (!rng.chance(0.25)) continue;
    const start = s0 + rng.int(WINDOW_S);
    flow(
      target.vpc,
      flowRecord(target, {
        src: rng.pick(RESEARCH_SCANNERS),
        dst: target.ip,
        srcport: 30000 + rng.int(30000),
        dstport: rng.pick(RESEARCH_PORTS),
        protocol: 6,
        packets: 1,
        bytes: 44,
        start,
        end: start,
        action: 'REJECT',
        direction: 'ingress',
      }),
    );
  }
  // Admins on the bastion during office hours, then hopping to the app servers.
  const bastion = byRole('bastion')[0] as Instance;
  if (hour >= 8 && hour < 18 && rng.chance(0.3)) {
    emit(
      bastion,
      tcpPair(bastion, {
        src: rng.pick(OFFICE_IPS),
        dst: bastion.ip,
        srcport: ephemeral(rng),
        dstport: 22,
        packets: 400 + rng.int(3000),
        bytes: 60_000 + rng.int(200_000),
        respBytes: 200_000 + rng.int(900_000),
        start: s0,
        end: s0 + WINDOW_S - 1,
        outbound: false,
      }),
    );
    const app = rng.pick(apps);
    emit(
      bastion,
      tcpPair(bastion, {
        src: bastion.ip,
        dst: app.ip,
        srcport: ephemeral(rng),
        dstport: 22,
        packets: 300 + rng.int(2000),
        bytes: 50_000 + rng.int(100_000),
        respBytes: 100_000 + rng.int(500_000),
        start: s0 + 10,
        end: s0 + WINDOW_S - 1,
        outbound: true,
      }),
    );
  }

  // DNS lookups by every instance (load balancers and the NAT gateway do not resolve).
  for (const inst of instances) {
    const names = DOMAINS[inst.role];
    if (names.length === 0) continue;
    const n = Math.max(1, Math.round(scale.dnsPerInstancePerWindow * (0.5 + rng.next())));
    for (let q = 0; q < n; q++) {
      const ms = windowMs + rng.int(WINDOW_S * 1000);
      const [name, ip] = rng.pick(names);
      const r = rng.next();
      if (r < 0.01 && inst.role === 'ci') {
        dns(
          inst.vpc,
          dnsRecord(inst, {
            ms,
            name: '_github-challenge-acme-org.acme.example',
            type: 'TXT',
            answers: [{ Rdata: `"${rng.hex(10)}"`, Type: 'TXT' }],
            srcport: ephemeral(rng),
          }),
        );
      } else if (r < 0.05) {
        dns(
          inst.vpc,
          dnsRecord(inst, { ms, name: `${name}.ec2.internal`, rcode: 'NXDOMAIN', srcport: ephemeral(rng) }),
        );
      } else if (r < 0.35) {
        dns(inst.vpc, dnsRecord(inst, { ms, name, type: 'AAAA', srcport: ephemeral(rng) }));
      } else {
        const cname =
          name.endsWith('amazonaws.com') && !name.includes('.rds.')
            ? `${name.split('.')[0]}.${inst.vpc.region}.amazonaws.com`
            : undefined;
        const answers =
          cname && cname !== name
            ? [
                { Rdata: `${cname}.`, Type: 'CNAME' },
                { Rdata: ip, Type: 'A' },
              ]
            : [{ Rdata: ip, Type: 'A' }];
        dns(inst.vpc, dnsRecord(inst, { ms, name, answers, srcport: ephemeral(rng) }));
      }
    }
  }
}
