/**
 * Realistic sample lines of the network, DNS and S3 access logs, for tests: shaped as AWS writes them
 * (a flow log file delivered to S3 starts with its header line).
 */

export const FLOW_V2_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

export const FLOW_V2_LINES = [
  '2 123456789012 eni-0a1b2c3d4e5f60718 203.0.113.12 172.31.16.139 49761 22 6 20 4249 1716000000 1716000060 REJECT OK',
  '2 123456789012 eni-0a1b2c3d4e5f60718 172.31.16.139 198.51.100.7 443 49152 6 10 1400 1716000010 1716000070 ACCEPT OK',
  '2 123456789012 eni-0a1b2c3d4e5f60718 - - - - - - - 1716000000 1716000060 - NODATA',
  '2 123456789012 eni-0f9e8d7c6b5a43210 - - - - - - - 1716000000 1716000060 - SKIPDATA',
];

export const FLOW_V5_HEADER =
  'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path';

export const FLOW_V5_LINES = [
  '5 vpc-0a1b2c3d subnet-0123456789abcdef0 i-0123456789abcdef0 eni-0123456789abcdef0 123456789012 IPv6 2001:db8:1234:a100::11 2001:db8:1234:a102::22 34892 443 2001:db8:1234:a100::11 2001:db8:1234:a102::22 6 5000 12 1716000100 1716000160 ACCEPT 19 OK us-east-2 use2-az2 - - - S3 egress 8',
  '5 vpc-0a1b2c3d subnet-0123456789abcdef0 - eni-0123456789abcdef0 123456789012 IPv4 198.51.100.23 10.0.1.5 51234 3389 198.51.100.23 10.0.1.5 6 60 1 1716000200 1716000260 REJECT 2 OK us-east-2 use2-az2 - - - - ingress -',
];

export const DNS_LINES = [
  '{"version":"1.100000","account_id":"123456789012","region":"us-east-1","vpc_id":"vpc-0a1b2c3d","query_timestamp":"2024-05-18T02:40:00Z","query_name":"s3.us-east-1.amazonaws.com.","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"52.216.1.1","Type":"A","Class":"IN"}],"srcaddr":"172.31.16.139","srcport":"53621","transport":"UDP","srcids":{"instance":"i-0123456789abcdef0"}}',
  '{"version":"1.100000","account_id":"123456789012","region":"us-east-1","vpc_id":"vpc-0a1b2c3d","query_timestamp":"2024-05-18T02:40:05Z","query_name":"qx7k2m9vfz0p.example.net.","query_type":"TXT","query_class":"IN","rcode":"NXDOMAIN","answers":[],"srcaddr":"172.31.16.140","srcport":"40112","transport":"UDP","srcids":{"resolver_endpoint":"rslvr-in-0123456789abcdef"}}',
];

const OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';

export const S3_ACCESS_LINES = [
  `${OWNER} awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 ${OWNER} 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /awsexamplebucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes`,
  `${OWNER} awsexamplebucket1 [06/Feb/2019:01:02:03 +0100] 203.0.113.9 arn:aws:iam::123456789012:user/alice 891CE47D2EXAMPLE REST.GET.OBJECT payroll/"><svg/onload=alert(1)>.csv "GET /payroll/%22%3E%3Cimg%20src%3Dx%3E.csv HTTP/1.1" 403 AccessDenied 243 - 42 - "-" "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64 \\"quoted\\"" - a8rZQ= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com TLSv1.3 - - future-field another`,
];
