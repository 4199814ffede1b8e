import { describe, it, expect } from 'vitest';
import { mapAttackTags } from './mitre.js';

describe('mapAttackTags', () => {
  it('maps techniques to upper-case ids, deduplicated, and ignores other tags', () => {
    const m = mapAttackTags([
      'attack.t1078',
      'attack.t1078.004',
      'attack.T1078.004',
      'attack.g0016',
      'cve.2021-1234',
      'detection.threat-hunting',
    ]);
    expect(m.techniques).toEqual(['T1078', 'T1078.004']);
    expect(m.tactics).toEqual([]);
    expect(m.purpose).toBe('Policy');
  });

  it('maps all enterprise tactic names, old and new, to TA ids', () => {
    const names: [string, string][] = [
      ['reconnaissance', 'TA0043'],
      ['resource-development', 'TA0042'],
      ['initial-access', 'TA0001'],
      ['execution', 'TA0002'],
      ['persistence', 'TA0003'],
      ['privilege-escalation', 'TA0004'],
      ['defense-evasion', 'TA0005'],
      ['stealth', 'TA0005'],
      ['defense-impairment', 'TA0005'],
      ['credential-access', 'TA0006'],
      ['discovery', 'TA0007'],
      ['lateral-movement', 'TA0008'],
      ['collection', 'TA0009'],
      ['exfiltration', 'TA0010'],
      ['command-and-control', 'TA0011'],
      ['impact', 'TA0040'],
    ];
    for (const [name, id] of names) expect(mapAttackTags([`attack.${name}`]).tactics).toEqual([id]);
    expect(mapAttackTags(['attack.stealth', 'attack.defense-evasion']).tactics).toEqual(['TA0005']);
    expect(mapAttackTags(['attack.privilege_escalation']).tactics).toEqual(['TA0004']);
  });

  it('takes the threat purpose from the first tactic', () => {
    const purpose = (tag: string) => mapAttackTags([`attack.${tag}`, 'attack.impact']).purpose;
    expect(purpose('stealth')).toBe('Stealth');
    expect(purpose('defense-evasion')).toBe('Stealth');
    expect(purpose('persistence')).toBe('Persistence');
    expect(purpose('privilege-escalation')).toBe('PrivilegeEscalation');
    expect(purpose('initial-access')).toBe('InitialAccess');
    expect(purpose('discovery')).toBe('Discovery');
    expect(purpose('credential-access')).toBe('CredentialAccess');
    expect(purpose('exfiltration')).toBe('Exfiltration');
    expect(purpose('execution')).toBe('Execution');
    expect(purpose('lateral-movement')).toBe('Policy');
    expect(mapAttackTags(['attack.t1078', 'attack.impact']).purpose).toBe('Impact');
  });
});
