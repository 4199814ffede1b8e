// Lists the CloudTrail log files of a corpus (AWSLogs/<account>/CloudTrail/…/*.json.gz), sorted,
// skipping digest files (CloudTrail-Digest/) and anything else that is not a log delivery.

import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';

/** @param {string} root */
export function listLogFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'CloudTrail-Digest') walk(path);
      } else if (
        entry.isFile() &&
        entry.name.endsWith('.json.gz') &&
        path.includes(`${sep}CloudTrail${sep}`)
      ) {
        out.push(path);
      }
    }
  };
  walk(root);
  return out.sort();
}
