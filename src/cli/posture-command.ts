import { ALL_CHECKS } from '../posture/checks/index.js';
import { complain, EXIT, type CliIO } from './io.js';
import { postureCheckCommand, postureEvidenceCommand } from './posture-check.js';
import { postureCollectCommand } from './posture-collect.js';

const USAGE = `Usage:
  vigil posture collect --out FILE [--regions R1,R2|all] [--role-arn ARN --external-id ID]…
                                  read-only snapshot of AWS accounts (vigil posture collect --help)
  vigil posture check SNAPSHOT [--framework soc2|gdpr|iso27001|nist-800-53|nist-csf|all] [--format table|json|html]
                                  run the checks, map them to frameworks (vigil posture check --help)
  vigil posture evidence add|list|remove
                                  evidence notes for controls no check can decide (vigil posture evidence --help)`;

/** `vigil posture …`: collect a snapshot, check it, keep evidence for manual controls. */
export async function postureCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'collect':
      return postureCollectCommand(rest, io);
    case 'check':
      return postureCheckCommand(rest, io, { checks: ALL_CHECKS });
    case 'evidence':
      return postureEvidenceCommand(rest, io);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.stdout.write(`${USAGE}\n`);
      return sub === undefined ? EXIT.ERROR : EXIT.OK;
    default:
      complain(io, `unknown posture command "${sub}"\n${USAGE}`);
      return EXIT.ERROR;
  }
}
