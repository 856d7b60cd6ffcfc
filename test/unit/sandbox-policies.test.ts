import { loadPolicyFile } from '../../src/domain/governance/policy-file';
import { REMEDIATIONS } from '../../src/domain/actions/registry';
import { SANDBOX_FOUR_EYES_POLICY_PATH, SANDBOX_POLICY_PATH } from '../sandbox/sandbox';

const ACTION_NAMES = REMEDIATIONS.map((r) => r.name);

describe('the sandbox policies', () => {
  it.each([
    ['npm run sandbox', SANDBOX_POLICY_PATH, 'self'],
    ['npm run sandbox -- --four-eyes', SANDBOX_FOUR_EYES_POLICY_PATH, 'four-eyes'],
  ])('%s runs every remediation in its mode', (_command, file, mode) => {
    const policy = loadPolicyFile(file, ACTION_NAMES);
    for (const action of ACTION_NAMES) expect(policy.ruleFor(action).mode).toBe(mode);
  });
});
