import type { KnowledgeEntry } from '../diagnosis';

const REQUIREMENTS = 'https://learn.microsoft.com/windows-365/enterprise/requirements';
const LICENCES = 'https://learn.microsoft.com/windows-365/enterprise/assign-licenses';

/**
 * Cloud PC provisioning failures, recognised by the Cloud PC's statusDetail (`code` and `message`). The
 * statusDetail codes are not listed on any page, so entries match the message's words for the requirements
 * "Windows 365 requirements" names (a valid licence, Intune enrollment allowed for Windows, the network).
 */
export const CLOUDPC_KNOWLEDGE: readonly KnowledgeEntry[] = [
  {
    id: 'cloudpc-enrollment-restricted',
    kind: 'cloudpc',
    recognise: { text: /(enrol{1,2}ment restriction|MDM authority|intune enrol{1,2}ment)/i },
    cause:
      'Intune refused to enroll the Cloud PC: the device type enrollment restrictions do not allow Windows (MDM) for corporate enrollment.',
    retryHelps: false,
    fixFirst:
      'In Intune, set the device type enrollment restriction to allow the Windows (MDM) platform; then retry the policy.',
    source: REQUIREMENTS,
    samples: [
      {
        kind: 'cloudpc',
        code: 'intuneEnrollFailed',
        text: 'Intune enrollment failed because of an enrollment restriction.',
      },
    ],
  },
  {
    id: 'cloudpc-licence',
    kind: 'cloudpc',
    recognise: { text: /(licen[cs]e)/i },
    cause: 'No Windows 365 licence was available for the Cloud PC.',
    retryHelps: false,
    fixFirst: 'Assign or buy Windows 365 Frontline licences for the policy’s group; then retry.',
    source: LICENCES,
    samples: [{ kind: 'cloudpc', text: '2 Cloud PCs failed: CPC-1, CPC-2. No available license was found.' }],
  },
  {
    id: 'cloudpc-network',
    kind: 'cloudpc',
    recognise: { text: /(azure network connection|virtual network|vnet|subnet|dns)/i },
    cause: 'The policy’s Azure network connection failed its checks (network, DNS or domain join).',
    retryHelps: false,
    fixFirst:
      'Open the Azure network connection in Intune, fix the failed check and run the checks again; then retry.',
    source: REQUIREMENTS,
    samples: [
      {
        kind: 'cloudpc',
        text: 'The Azure network connection is unhealthy: DNS could not resolve the domain.',
      },
    ],
  },
];
