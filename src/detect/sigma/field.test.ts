import { describe, it, expect } from 'vitest';
import { createFieldGetter } from '../fields/index.js';
import { compileSigma } from './compile.js';
import { eventOf } from './test-event.js';

const getField = createFieldGetter();
/** Whether a one-selection detection `{ sel: selection }` matches the record. */
const m = (selection: unknown, raw: Record<string, unknown>) =>
  compileSigma({ sel: selection, condition: 'sel' }, getField).matches(eventOf(raw));

const record = {
  eventName: 'PutUserPolicy',
  eventSource: 'iam.amazonaws.com',
  sourceIPAddress: '203.0.113.7',
  userAgent: 'S3 Browser 9.5.5 https://s3browser.com',
  readOnly: false,
  apiVersion: 5,
  errorCode: '',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice', userName: 'alice' },
  requestParameters: {
    userName: 'alice',
    policyDocument: '{"Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}',
    tags: [
      { key: 'team', value: 'Blue' },
      { key: 'env', value: 'prod' },
    ],
    ports: [22, 443],
    nothing: null,
  },
  resources: [{ ARN: 'arn:aws:s3:::a' }, { ARN: 'arn:aws:s3:::b' }],
};

describe('plain values', () => {
  it('matches strings case-insensitively and with wildcards', () => {
    expect(m({ eventName: 'putuserpolicy' }, record)).toBe(true);
    expect(m({ eventName: 'Put*Policy' }, record)).toBe(true);
    expect(m({ eventName: 'PutUser?olicy' }, record)).toBe(true);
    expect(m({ eventName: 'PutUser' }, record)).toBe(false);
  });

  it('ORs a list of values and ANDs the fields of a map', () => {
    expect(m({ eventName: ['DeleteUser', 'PutUserPolicy'] }, record)).toBe(true);
    expect(m({ eventName: ['DeleteUser', 'CreateUser'] }, record)).toBe(false);
    expect(m({ eventName: 'PutUserPolicy', eventSource: 'iam.amazonaws.com' }, record)).toBe(true);
    expect(m({ eventName: 'PutUserPolicy', eventSource: 's3.amazonaws.com' }, record)).toBe(false);
  });

  it('ORs a list of maps', () => {
    expect(m([{ eventName: 'DeleteUser' }, { eventSource: 'iam.amazonaws.com' }], record)).toBe(true);
    expect(m([{ eventName: 'DeleteUser' }, { eventSource: 's3.amazonaws.com' }], record)).toBe(false);
  });

  it('matches numbers and booleans against equal values and their string form', () => {
    expect(m({ apiVersion: 5 }, record)).toBe(true);
    expect(m({ apiVersion: '5' }, record)).toBe(true);
    expect(m({ apiVersion: 6 }, record)).toBe(false);
    expect(m({ readOnly: false }, record)).toBe(true);
    expect(m({ readOnly: 'false' }, record)).toBe(true);
    expect(m({ readOnly: true }, record)).toBe(false);
    expect(m({ 'requestParameters.userName': 5 }, { requestParameters: { userName: '5' } })).toBe(true);
  });

  it('matches null against a missing or null field only', () => {
    expect(m({ errorMessage: null }, record)).toBe(true);
    expect(m({ 'requestParameters.nothing': null }, record)).toBe(true);
    expect(m({ eventName: null }, record)).toBe(false);
    expect(m({ errorCode: null }, record)).toBe(false);
    expect(m({ errorCode: [null, 'AccessDenied'] }, { errorCode: 'AccessDenied' })).toBe(true);
  });

  it("matches '' against the empty string only", () => {
    expect(m({ errorCode: '' }, record)).toBe(true);
    expect(m({ errorMessage: '' }, record)).toBe(false);
    expect(m({ eventName: '' }, record)).toBe(false);
  });

  it('matches when any element of a crossed array matches', () => {
    expect(m({ 'resources.ARN': 'arn:aws:s3:::b' }, record)).toBe(true);
    expect(m({ 'resources.ARN': 'arn:aws:s3:::c' }, record)).toBe(false);
    expect(m({ 'requestParameters.ports': 443 }, record)).toBe(true);
    expect(m({ 'requestParameters.tags.value': 'blue' }, record)).toBe(true);
  });

  it('does not let a missing field match a wildcard', () => {
    expect(m({ errorMessage: '*' }, record)).toBe(false);
    expect(m({ 'errorMessage|contains': '*' }, record)).toBe(false);
    expect(m({ 'errorMessage|contains': '*' }, { errorMessage: 'Access denied' })).toBe(true);
  });
});

describe('string modifiers', () => {
  it('contains, startswith, endswith', () => {
    expect(m({ 'userAgent|contains': 's3 browser' }, record)).toBe(true);
    expect(m({ 'userAgent|contains': 'Cyberduck' }, record)).toBe(false);
    expect(m({ 'eventName|startswith': 'Put' }, record)).toBe(true);
    expect(m({ 'eventName|startswith': 'Policy' }, record)).toBe(false);
    expect(m({ 'eventName|endswith': 'policy' }, record)).toBe(true);
    expect(m({ 'eventName|endswith': 'Put' }, record)).toBe(false);
  });

  it('all requires every value', () => {
    expect(m({ 'userAgent|contains|all': ['S3', 'Browser'] }, record)).toBe(true);
    expect(m({ 'userAgent|contains|all': ['S3', 'Cyberduck'] }, record)).toBe(false);
    expect(m({ 'userAgent|contains': ['S3', 'Cyberduck'] }, record)).toBe(true);
  });

  it('cased makes matching case-sensitive', () => {
    expect(m({ 'eventName|cased': 'PutUserPolicy' }, record)).toBe(true);
    expect(m({ 'eventName|cased': 'putuserpolicy' }, record)).toBe(false);
    expect(m({ 'userAgent|contains|cased': 'S3 Browser' }, record)).toBe(true);
    expect(m({ 'userAgent|contains|cased': 's3 browser' }, record)).toBe(false);
  });

  it('tests an object field by its compact JSON text', () => {
    expect(m({ 'requestParameters|contains': '"userName":"alice"' }, record)).toBe(true);
    expect(m({ 'requestParameters|contains|all': ['"team"', '"prod"'] }, record)).toBe(true);
    expect(m({ 'requestParameters|contains|all': ['"team"', '"staging"'] }, record)).toBe(false);
    expect(m({ 'requestParameters.tags|contains': '"key":"env"' }, record)).toBe(true);
    expect(m({ 'requestParameters.tags|contains': '"key":"dev"' }, record)).toBe(false);
  });

  it('matches object text case-insensitively unless cased', () => {
    expect(m({ 'requestParameters|contains': '"USERNAME":"ALICE"' }, record)).toBe(true);
    expect(m({ 'requestParameters|contains|cased': '"USERNAME":"ALICE"' }, record)).toBe(false);
    expect(m({ 'requestParameters|contains|cased': '"userName":"alice"' }, record)).toBe(true);
  });

  it('matches a JSON document held in a string field as unescaped text', () => {
    expect(m({ 'requestParameters|contains|all': ['"Effect":"Allow"', '"s3:GetObject"'] }, record)).toBe(
      true,
    );
    expect(m({ 'requestParameters|contains': '"s3:PutObject"' }, record)).toBe(false);
  });
});

describe('re', () => {
  it('matches a regular expression anywhere in the value, case-sensitively by default', () => {
    expect(m({ 'userIdentity.arn|re': ':user/ali' }, record)).toBe(true);
    expect(m({ 'userIdentity.arn|re': '^arn:aws:iam::\\d{12}:user/alice$' }, record)).toBe(true);
    expect(m({ 'userIdentity.arn|re': ':USER/' }, record)).toBe(false);
    expect(m({ 'userIdentity.arn|re': ':root$' }, record)).toBe(false);
  });

  it('supports the i, m and s sub-modifiers', () => {
    expect(m({ 'userIdentity.arn|re|i': ':USER/' }, record)).toBe(true);
    const multi = { errorMessage: 'first line\nsecond line' };
    expect(m({ 'errorMessage|re': '^second' }, multi)).toBe(false);
    expect(m({ 'errorMessage|re|m': '^second' }, multi)).toBe(true);
    expect(m({ 'errorMessage|re': 'line.second' }, multi)).toBe(false);
    expect(m({ 'errorMessage|re|s': 'line.second' }, multi)).toBe(true);
  });

  it('answers the same for a value seen again, per field and with "all"', () => {
    const any = compileSigma({ s: { 'userAgent|re': ['kali', 'parrot'] }, condition: 's' }, getField);
    const every = compileSigma({ s: { 'userAgent|re|all': ['kali', 'parrot'] }, condition: 's' }, getField);
    const agents = ['os/kali', 'os/debian', 'os/kali parrot', 'os/kali', 'os/debian', 'os/kali parrot'];
    expect(agents.map((userAgent) => any.matches(eventOf({ userAgent })))).toEqual([
      true,
      false,
      true,
      true,
      false,
      true,
    ]);
    expect(agents.map((userAgent) => every.matches(eventOf({ userAgent })))).toEqual([
      false,
      false,
      true,
      false,
      false,
      true,
    ]);
    // a list value: each pattern may match a different element
    expect(every.matches(eventOf({ userAgent: ['os/kali', 'parrot'] }))).toBe(true);
    expect(every.matches(eventOf({ userAgent: ['os/kali', 'debian'] }))).toBe(false);
  });
});

describe('cidr', () => {
  it('matches IPv4 and IPv6 addresses in a range', () => {
    expect(m({ 'sourceIPAddress|cidr': '203.0.113.0/24' }, record)).toBe(true);
    expect(m({ 'sourceIPAddress|cidr': ['10.0.0.0/8', '198.51.100.0/24'] }, record)).toBe(false);
    expect(m({ 'sourceIPAddress|cidr': '2001:db8::/32' }, { sourceIPAddress: '2001:db8:1::5' })).toBe(true);
    expect(m({ 'sourceIPAddress|cidr': '2001:db8::/32' }, { sourceIPAddress: '2001:db9::5' })).toBe(false);
    expect(m({ 'sourceIPAddress|cidr': '203.0.113.0/24' }, { sourceIPAddress: '::ffff:203.0.113.9' })).toBe(
      true,
    );
  });

  it('does not match service names or a family mismatch', () => {
    expect(m({ 'sourceIPAddress|cidr': '0.0.0.0/0' }, { sourceIPAddress: 'ec2.amazonaws.com' })).toBe(false);
    expect(m({ 'sourceIPAddress|cidr': '0.0.0.0/0' }, { sourceIPAddress: '2001:db8::1' })).toBe(false);
  });
});

describe('exists', () => {
  it('tests whether the field is present', () => {
    expect(m({ 'errorCode|exists': true }, record)).toBe(true);
    expect(m({ 'errorMessage|exists': true }, record)).toBe(false);
    expect(m({ 'errorMessage|exists': false }, record)).toBe(true);
    expect(m({ 'requestParameters.nothing|exists': true }, record)).toBe(false);
  });
});

describe('numeric comparisons', () => {
  it('gt, gte, lt, lte over numbers and numeric strings', () => {
    expect(m({ 'apiVersion|gt': 4 }, record)).toBe(true);
    expect(m({ 'apiVersion|gt': 5 }, record)).toBe(false);
    expect(m({ 'apiVersion|gte': 5 }, record)).toBe(true);
    expect(m({ 'apiVersion|lt': 5 }, record)).toBe(false);
    expect(m({ 'apiVersion|lte': 5 }, record)).toBe(true);
    expect(m({ 'size|gt': 10 }, { size: '11' })).toBe(true);
    expect(m({ 'size|gt': 10 }, { size: 'eleven' })).toBe(false);
    expect(m({ 'requestParameters.ports|lt': 100 }, record)).toBe(true);
    expect(m({ 'requestParameters.ports|gt': 1000 }, record)).toBe(false);
  });
});

describe('fieldref', () => {
  it('compares with the value of another field', () => {
    expect(m({ 'userIdentity.userName|fieldref': 'requestParameters.userName' }, record)).toBe(true);
    expect(
      m(
        { 'userIdentity.userName|fieldref': 'requestParameters.userName' },
        { ...record, requestParameters: { userName: 'bob' } },
      ),
    ).toBe(false);
    expect(m({ 'userIdentity.userName|fieldref': 'requestParameters.missing' }, record)).toBe(false);
  });

  it('combines with contains, startswith, endswith and cased', () => {
    expect(m({ 'userIdentity.arn|fieldref|contains': 'requestParameters.userName' }, record)).toBe(true);
    expect(m({ 'userIdentity.arn|fieldref|endswith': 'requestParameters.userName' }, record)).toBe(true);
    expect(m({ 'userIdentity.arn|fieldref|startswith': 'requestParameters.userName' }, record)).toBe(false);
    const upper = { ...record, requestParameters: { userName: 'ALICE' } };
    expect(m({ 'userIdentity.userName|fieldref': 'requestParameters.userName' }, upper)).toBe(true);
    expect(m({ 'userIdentity.userName|fieldref|cased': 'requestParameters.userName' }, upper)).toBe(false);
  });
});

describe('keywords', () => {
  it('search the compact JSON text of the record, case-insensitively', () => {
    expect(m(['s3browser.com'], record)).toBe(true);
    expect(m(['cyberduck', 'S3BROWSER'], record)).toBe(true);
    expect(m(['"type":"iamuser"'], record)).toBe(true);
    expect(m(['cyberduck'], record)).toBe(false);
    expect(m(['arn:aws:s3:::*b'], record)).toBe(true);
  });
});

describe('vigil derived fields', () => {
  it('reads vigil.* through the field getter', () => {
    expect(m({ 'vigil.service': 'iam' }, record)).toBe(true);
    expect(m({ 'vigil.service': 's3' }, record)).toBe(false);
  });

  it('refuses an unknown derived field when the rule is compiled', () => {
    expect(() => m({ 'vigil.noSuchField': 'x' }, record)).toThrow(
      'selection "sel", field "vigil.noSuchField": unknown derived field "vigil.noSuchField"',
    );
    expect(() => m({ 'userName|fieldref': 'vigil.noSuchField' }, record)).toThrow('unknown derived field');
  });
});
