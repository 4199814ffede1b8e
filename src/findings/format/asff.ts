import { VigilError } from '../../core/errors.js';
import type { Finding } from '../../core/finding.js';
import { put, type Findings, type TextSink } from './sink.js';

/**
 * AWS Security Finding Format (Security Hub `BatchImportFindings`). Every required top-level attribute is
 * set and every length limit is respected (longer text is cut and ends with `…`):
 * Id ≤ 512, GeneratorId ≤ 512, Title ≤ 256, Description ≤ 1024, Types ≤ 50 (namespace/category/classifier),
 * Resources 1–32, Remediation.Recommendation.Text ≤ 512, ProductFields ≤ 50 pairs (key ≤ 128, value ≤ 2048),
 * Note.Text ≤ 512. Times: CreatedAt/FirstObservedAt = firstSeen, UpdatedAt/LastObservedAt = lastSeen.
 */
export const ASFF_LIMITS = {
  id: 512,
  generatorId: 512,
  title: 256,
  description: 1024,
  types: 50,
  resources: 32,
  resourceId: 512,
  recommendationText: 512,
  recommendationUrl: 1024,
  productFields: 50,
  productFieldKey: 128,
  productFieldValue: 2048,
  noteText: 512,
} as const;

export interface AsffOptions {
  /** Account used when a finding's account is unknown (`-`); the account that calls BatchImportFindings. */
  accountId?: string;
  /** Region used when a finding's region is unknown (`-`). */
  region?: string;
  /** Partition for ARNs (default `aws`). */
  partition?: string;
}

export interface AsffFinding {
  SchemaVersion: '2018-10-08';
  Id: string;
  ProductArn: string;
  ProductName: string;
  CompanyName: string;
  Region: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  FirstObservedAt: string;
  LastObservedAt: string;
  Severity: { Label: string; Normalized: number; Original: string };
  Title: string;
  Description: string;
  Remediation: { Recommendation: { Text: string; Url?: string } };
  ProductFields: Record<string, string>;
  Resources: {
    Type: string;
    Id: string;
    Partition: string;
    Region: string;
    Details?: { Other: Record<string, string> };
  }[];
  FindingProviderFields: { Severity: { Label: string; Original: string }; Types: string[] };
  RecordState: 'ACTIVE' | 'ARCHIVED';
  Note: { Text: string; UpdatedBy: string; UpdatedAt: string };
}

/** Cuts text to at most `max` characters (UTF-16 units), marking the cut with `…`. Never returns ''. */
export function limit(text: string, max: number, fallback = '-'): string {
  const s = text.trim() === '' ? fallback : text;
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

/** GuardDuty threat purpose (the part of our type before `:`) → ASFF namespace/category. */
const PURPOSE_TO_TYPE: Record<string, string> = {
  Backdoor: 'TTPs/Command and Control',
  CredentialAccess: 'TTPs/Credential Access',
  CryptoCurrency: 'Effects/Resource Consumption',
  DefenseEvasion: 'TTPs/Defense Evasion',
  Discovery: 'TTPs/Discovery',
  Execution: 'TTPs/Execution',
  Exfiltration: 'Effects/Data Exfiltration',
  Impact: 'Effects/Data Destruction',
  InitialAccess: 'TTPs/Initial Access',
  PenTest: 'TTPs/Discovery',
  Pentest: 'TTPs/Discovery',
  Persistence: 'TTPs/Persistence',
  Policy: 'Software and Configuration Checks/AWS Security Best Practices',
  PrivilegeEscalation: 'TTPs/Privilege Escalation',
  Recon: 'TTPs/Discovery',
  Stealth: 'TTPs/Defense Evasion',
  Trojan: 'TTPs/Command and Control',
  UnauthorizedAccess: 'TTPs/Initial Access',
};

/** `Behavior` and unknown purposes become `Unusual Behaviors/<kind>`, the kind read from the resource part. */
function unusualBehaviorKind(resourcePart: string): string {
  if (/^(IAMUser|Root|IAM)/.test(resourcePart)) return 'User';
  if (/^(EC2|Instance)/.test(resourcePart)) return 'VM';
  if (/^S3/.test(resourcePart)) return 'Data';
  if (/^(Lambda|Serverless)/.test(resourcePart)) return 'Serverless';
  if (/^(Kubernetes|EKS|ECS|Container|Runtime)/.test(resourcePart)) return 'Container';
  if (/^(RDS|Database)/.test(resourcePart)) return 'Database';
  return 'Application';
}

/**
 * Maps our GuardDuty-style type `ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.DetectionMechanism`
 * to ASFF's `namespace/category/classifier`, as GuardDuty does: the classifier is our type with `/`
 * replaced by `-` (ASFF uses `/` as its separator).
 */
export function asffType(type: string): string {
  const colon = type.indexOf(':');
  const purpose = colon > 0 ? type.slice(0, colon) : '';
  const rest = colon > 0 ? type.slice(colon + 1) : type;
  const prefix = PURPOSE_TO_TYPE[purpose] ?? `Unusual Behaviors/${unusualBehaviorKind(rest)}`;
  const classifier = type.replace(/\//g, '-').trim() || 'Vigil';
  return limit(`${prefix}/${classifier}`, 256);
}

/** ASFF resource types Vigil's detections name; any other type is exported as `Other` with its name kept. */
const ASFF_RESOURCE_TYPES = new Set([
  'AwsAccount',
  'AwsCloudTrailTrail',
  'AwsIamUser',
  'AwsIamRole',
  'AwsIamAccessKey',
  'AwsIamPolicy',
  'AwsIamGroup',
  'AwsS3Bucket',
  'AwsS3Object',
  'AwsS3AccountPublicAccessBlock',
  'AwsEc2Instance',
  'AwsEc2SecurityGroup',
  'AwsEc2Vpc',
  'AwsEc2Volume',
  'AwsEc2NetworkInterface',
  'AwsKmsKey',
  'AwsLambdaFunction',
  'AwsRdsDbInstance',
  'AwsRdsDbSnapshot',
  'AwsRdsDbCluster',
  'AwsSecretsManagerSecret',
  'AwsSnsTopic',
  'AwsSqsQueue',
  'AwsGuardDutyDetector',
  'AwsConfigConfigurationRecorder',
  'AwsEksCluster',
  'AwsEcrRepository',
  'AwsCloudWatchAlarm',
  'AwsWafWebAcl',
  'AwsElbv2LoadBalancer',
  'AwsApiGatewayRestApi',
  'AwsDynamoDbTable',
  'Other',
]);

const ACCOUNT = /^\d{12}$/;

function severityNormalized(severity: number): number {
  // GuardDuty's 1–10 bands map onto ASFF's 0–100 bands (LOW 1–39, MEDIUM 40–69, HIGH 70–89, CRITICAL 90–100).
  return Math.max(1, Math.min(100, Math.round(severity * 10)));
}

function httpUrl(s: string | undefined): string | undefined {
  if (!s || s.length > ASFF_LIMITS.recommendationUrl) return undefined;
  return /^https?:\/\/\S+$/.test(s) ? s : undefined;
}

function productFields(f: Finding): Record<string, string> {
  const pairs: [string, string | undefined][] = [
    ['vigil/detector', f.detector],
    ['vigil/type', f.type],
    ['vigil/severityLabel', f.severityLabel],
    ['vigil/status', f.status],
    ['vigil/count', String(f.count)],
    ['vigil/principal', f.actor.principal],
    ['vigil/principalType', f.actor.principalType],
    ['vigil/accessKeyId', f.actor.accessKeyId],
    ['vigil/sourceIp', f.actor.ip],
    ['vigil/userAgent', f.actor.userAgent],
    ['vigil/eventNames', f.evidence.eventNames.join(',')],
    ['vigil/eventIds', f.evidence.eventIds.join(',')],
    ['vigil/mitreTactics', f.mitre.tactics.join(',')],
    ['vigil/mitreTechniques', f.mitre.techniques.join(',')],
    ['vigil/references', f.references.join(' ')],
  ];
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) {
    if (v === undefined || v === '') continue;
    out[k] = limit(v, ASFF_LIMITS.productFieldValue);
  }
  return out;
}

/** One finding in ASFF. Throws VIGIL_USAGE when no 12-digit account can be found for it. */
export function toAsff(f: Finding, options: AsffOptions = {}): AsffFinding {
  const account = ACCOUNT.test(f.accountId) ? f.accountId : options.accountId;
  if (!account || !ACCOUNT.test(account)) {
    throw new VigilError(
      'VIGIL_USAGE',
      `finding ${f.id} has no AWS account id: give the account to import into (ASFF needs a 12-digit AwsAccountId)`,
    );
  }
  const region = f.region !== '-' ? f.region : (options.region ?? 'us-east-1');
  const partition = options.partition ?? 'aws';
  const types = [asffType(f.type)];
  const resources: AsffFinding['Resources'] = f.resources.slice(0, ASFF_LIMITS.resources).map((r) => {
    const known = ASFF_RESOURCE_TYPES.has(r.type);
    const res: AsffFinding['Resources'][number] = {
      Type: known ? r.type : 'Other',
      Id: limit(r.id, ASFF_LIMITS.resourceId),
      Partition: partition,
      Region: region,
    };
    if (!known) res.Details = { Other: { type: limit(r.type, ASFF_LIMITS.productFieldValue) } };
    return res;
  });
  if (resources.length === 0) {
    resources.push({
      Type: 'AwsAccount',
      Id: `AWS::::Account:${account}`,
      Partition: partition,
      Region: region,
    });
  }
  const url = httpUrl(f.references[0]);
  const label = f.severityLabel;
  return {
    SchemaVersion: '2018-10-08',
    Id: limit(f.id, ASFF_LIMITS.id),
    ProductArn: `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`,
    ProductName: 'Vigil',
    CompanyName: 'Vigil',
    Region: region,
    GeneratorId: limit(`vigil/${f.detector}`, ASFF_LIMITS.generatorId),
    AwsAccountId: account,
    Types: types,
    CreatedAt: f.firstSeen,
    UpdatedAt: f.lastSeen,
    FirstObservedAt: f.firstSeen,
    LastObservedAt: f.lastSeen,
    Severity: { Label: label, Normalized: severityNormalized(f.severity), Original: String(f.severity) },
    Title: limit(f.title, ASFF_LIMITS.title, f.type),
    Description: limit(f.description, ASFF_LIMITS.description, f.title),
    Remediation: {
      Recommendation: url
        ? { Text: limit(f.remediation, ASFF_LIMITS.recommendationText), Url: url }
        : { Text: limit(f.remediation, ASFF_LIMITS.recommendationText) },
    },
    ProductFields: productFields(f),
    Resources: resources,
    FindingProviderFields: { Severity: { Label: label, Original: String(f.severity) }, Types: types },
    RecordState: f.status === 'RESOLVED' ? 'ARCHIVED' : 'ACTIVE',
    Note: {
      Text: limit(
        `Seen ${f.count} time(s) between ${f.firstSeen} and ${f.lastSeen} by Vigil detection ${f.detector}.`,
        ASFF_LIMITS.noteText,
      ),
      UpdatedBy: 'vigil',
      UpdatedAt: f.lastSeen,
    },
  };
}

/**
 * The body of a BatchImportFindings request: `{"Findings": [...]}`, streamed. Security Hub takes at most
 * 100 findings per call; split larger exports before sending.
 */
export async function writeAsff(findings: Findings, out: TextSink, options: AsffOptions = {}): Promise<void> {
  let first = true;
  for await (const f of findings) {
    await put(out, (first ? '{"Findings":[\n' : ',\n') + JSON.stringify(toAsff(f, options)));
    first = false;
  }
  await put(out, first ? '{"Findings":[]}\n' : '\n]}\n');
}
