import { describe, expect, it } from 'vitest';
import { ASSUMPTIONS, byService, DEFAULT_WORKLOAD, estimateCost, PRICES } from './cost.js';

const line = (e: ReturnType<typeof estimateCost>, service: string, item: string) =>
  e.items.find((i) => i.service === service && i.item.startsWith(item));

describe('estimateCost', () => {
  it('itemises the default workload and its total is the sum of quantity × unit price', () => {
    const e = estimateCost();
    expect(e.workload).toEqual(DEFAULT_WORKLOAD);
    for (const i of e.items) {
      if (typeof i.unitPrice === 'number') expect(i.monthly).toBeCloseTo(i.quantity * i.unitPrice, 9);
      expect(i.monthly).toBeGreaterThanOrEqual(0);
    }
    expect(e.total).toBeCloseTo(
      e.items.reduce((s, i) => s + i.monthly, 0),
      9,
    );
    // The figures docs/cost.md and the README quote.
    expect(e.total).toBeCloseTo(31.15, 2);
    expect(e.withoutOptional).toBeCloseTo(17.85, 2);
    expect(e.freeTier).toBeCloseTo(8.01, 2);
  });

  it('prices the default lines the way the cited pages state them', () => {
    const e = estimateCost();
    expect(line(e, 'CloudTrail', 'management events, first copy')!.monthly).toBe(0);
    expect(line(e, 'GuardDuty', 'CloudTrail management')!.monthly).toBeCloseTo(4.0, 9);
    expect(line(e, 'Security Hub', 'security checks')!.monthly).toBeCloseTo(8000 * 0.001, 9);
    expect(line(e, 'AWS Config', 'configuration items')!.monthly).toBeCloseTo(1500 * 0.003, 9);
    expect(line(e, 'CloudWatch', 'dashboard')!.monthly).toBe(3);
    expect(line(e, 'KMS', 'customer managed keys')!.monthly).toBe(1);
  });

  it('is honest about $20: over with Security Hub standards, under without the optional parts', () => {
    const e = estimateCost();
    expect(e.total).toBeGreaterThan(20);
    expect(e.withoutOptional).toBeLessThan(20);
    const lean = estimateCost({ securityHubStandards: [], guardDutyS3Protection: false });
    expect(lean.total).toBeCloseTo(e.withoutOptional, 9);
    expect(lean.items.some((i) => i.service === 'AWS Config')).toBe(false);
    expect(e.optional.securityHubStandards + e.optional.guardDutyS3Protection).toBeCloseTo(
      e.total - e.withoutOptional,
      9,
    );
  });

  it('a paid second trail copy costs $2 per 100,000 events', () => {
    const e = estimateCost({ additionalTrailCopy: true });
    expect(line(e, 'CloudTrail', 'management events, additional copy')!.monthly).toBeCloseTo(20, 9);
    const data = estimateCost({ trailDataEventsPerMonth: 2_000_000 });
    expect(line(data, 'CloudTrail', 'S3 data events')!.monthly).toBeCloseTo(2, 9);
  });

  it('grows monotonically with events and with accounts', () => {
    let previous = 0;
    for (const events of [1e5, 1e6, 5e6, 1e7, 1e8, 1e9]) {
      const total = estimateCost({ eventsPerMonth: events }).total;
      expect(total).toBeGreaterThan(previous);
      previous = total;
    }
    previous = 0;
    for (const accounts of [1, 2, 5, 20, 100]) {
      const total = estimateCost({ accounts }).total;
      expect(total).toBeGreaterThan(previous);
      previous = total;
    }
  });

  it('scales GuardDuty protection, Security Hub checks and Config per account', () => {
    const one = estimateCost({ accounts: 1 });
    const five = estimateCost({ accounts: 5 });
    for (const [service, item] of [
      ['Security Hub', 'security checks'],
      ['AWS Config', 'configuration items'],
      ['GuardDuty', 'VPC flow'],
      ['GuardDuty', 'S3 protection'],
      ['S3', 'PUT requests'],
    ] as const)
      expect(line(five, service, item)!.monthly).toBeCloseTo(5 * line(one, service, item)!.monthly, 9);
    // Management events are counted once whatever the number of accounts they come from …
    expect(line(five, 'GuardDuty', 'CloudTrail management')!.monthly).toBeCloseTo(4, 9);
    // … and other accounts' matched events cross to the Vigil account's bus.
    expect(line(one, 'EventBridge', 'cross-account')).toBeUndefined();
    expect(line(five, 'EventBridge', 'cross-account')!.quantity).toBeCloseTo(
      1e6 * ASSUMPTIONS.detectShare * (4 / 5),
      6,
    );
  });

  it('applies the Security Hub check tiers per account', () => {
    const checks = { fsbp: 300_000, cis: 0 };
    const e = estimateCost(
      { securityHubStandards: ['fsbp'] },
      { ...ASSUMPTIONS, securityChecksPerAccount: checks },
    );
    expect(line(e, 'Security Hub', 'security checks')!.monthly).toBeCloseTo(
      100_000 * 0.001 + 200_000 * 0.0008,
      6,
    );
  });

  it('at 100M events the per-event services dominate', () => {
    const top = byService(estimateCost({ eventsPerMonth: 1e8 }))[0]!;
    expect(top.service).toBe('GuardDuty');
    expect(top.monthly).toBeGreaterThan(1e8 * PRICES.guardDutyManagementEventPerEvent);
  });

  it('without GuardDuty or Security Hub their lines disappear', () => {
    const e = estimateCost({ guardDuty: false, securityHub: false });
    expect(e.items.some((i) => i.service === 'GuardDuty' || i.service === 'Security Hub')).toBe(false);
    expect(e.total).toBeLessThan(estimateCost().withoutOptional);
  });
});
