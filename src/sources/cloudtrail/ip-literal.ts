/**
 * Whether `s` is an IPv4 or IPv6 address literal. CloudTrail's `sourceIPAddress` holds either an IP or
 * the name of an AWS service (`ec2.amazonaws.com`, `AWS Internal`); this tells them apart with a
 * character scan, no regular expressions, because it runs once per record.
 */
export function isIpLiteral(s: string): boolean {
  return s.indexOf(':') >= 0 ? isIpv6(s) : isIpv4(s, 0, s.length);
}

function isIpv4(s: string, start: number, end: number): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return false; // no leading zeros
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else if (c === 46) {
      if (digits === 0) return false;
      parts++;
      digits = 0;
      value = 0;
    } else {
      return false;
    }
  }
  return parts === 3 && digits > 0;
}

function isIpv6(s: string): boolean {
  const len = s.length;
  if (len < 2 || len > 45) return false;
  let groups = 0;
  let digits = 0;
  let doubleColon = false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 58) {
      if (s.charCodeAt(i + 1) === 58) {
        if (doubleColon) return false;
        doubleColon = true;
        if (digits > 0) groups++;
        digits = 0;
        i++;
        continue;
      }
      if (digits === 0) return false; // a single colon must follow a group
      groups++;
      digits = 0;
    } else if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) {
      if (++digits > 4) return false;
    } else if (c === 46) {
      // Embedded IPv4 tail, e.g. ::ffff:192.0.2.1
      const tailStart = s.lastIndexOf(':', i) + 1;
      if (!isIpv4(s, tailStart, len)) return false;
      groups += 2;
      digits = 0;
      break;
    } else {
      return false;
    }
  }
  if (digits > 0) groups++;
  else if (s.charCodeAt(len - 1) === 58 && !s.endsWith('::')) return false;
  return doubleColon ? groups < 8 : groups === 8;
}
