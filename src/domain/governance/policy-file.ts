import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../../infra/config';
import { GUID } from '../../infra/graph/odata';
import { buildPolicy, type Policy, type RuleSettings } from './policy';

/** The policy file is unusable; the message lists every problem with its line. */
export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid approval policy ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

const id = z.string().regex(GUID, 'must be an Entra object id (GUID)');
const principals = z.object({ users: z.array(id).default([]), groups: z.array(id).default([]) }).strict();
const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    const ms = parseDuration(String(v));
    if (ms > 0) return ms;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'must be a duration such as 24h, 90m or 3600 (seconds)' });
  return z.NEVER;
});
const rule = z
  .object({
    requesters: principals.optional(),
    approvers: principals.optional(),
    mode: z.enum(['four-eyes', 'self']).optional(),
    expiry: duration.optional(),
  })
  .strict();
const scope = z
  .object({
    tenants: z.array(id).default([]),
    teams: z.array(z.string().min(1)).default([]),
    channels: z.array(z.string().min(1)).default([]),
  })
  .strict();

function schemaFor(actionNames: readonly string[]) {
  return z
    .object({
      default: rule.default({}),
      actions: z
        .record(z.string(), rule)
        .default({})
        .superRefine((actions, ctx) => {
          for (const name of Object.keys(actions)) {
            if (!actionNames.includes(name)) {
              ctx.addIssue({
                code: 'custom',
                path: [name],
                message: `is not an action; the actions are ${actionNames.join(', ')}`,
              });
            }
          }
        }),
      scope: scope.default({}),
    })
    .strict();
}

function settings(r: z.infer<typeof rule>): RuleSettings {
  return {
    ...(r.requesters ? { requesters: r.requesters } : {}),
    ...(r.approvers ? { approvers: r.approvers } : {}),
    ...(r.mode ? { mode: r.mode } : {}),
    ...(r.expiry ? { expiryMs: r.expiry } : {}),
  };
}

function where(doc: Document, lines: LineCounter, path: readonly PropertyKey[], unknownKey?: string): string {
  const keyPath = path.map((p) => (typeof p === 'number' ? p : String(p)));
  const shown = [...keyPath, ...(unknownKey ? [unknownKey] : [])].join('.') || '(top level)';
  let offset: number | undefined;
  for (let cut = keyPath.length; offset === undefined && cut >= 0; cut--) {
    const node = doc.getIn(keyPath.slice(0, cut), true) as
      | {
          range?: [number, number, number];
          items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }>;
        }
      | undefined;
    const name = cut === keyPath.length ? unknownKey : undefined;
    const pair = name !== undefined ? node?.items?.find((i) => i.key?.value === name) : undefined;
    offset = pair?.key?.range?.[0] ?? (name === undefined ? node?.range?.[0] : undefined);
  }
  if (offset === undefined) return shown;
  return `line ${lines.linePos(offset).line}, ${shown}`;
}

/**
 * Parses and validates a policy document. Errors name the line and key, so a typo in the file that
 * guards production is caught at start with a message that says where.
 */
export function parsePolicy(text: string, file: string, actionNames: readonly string[]): Policy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      file,
      doc.errors.map((e) => `line ${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0] ?? e.message}`),
    );
  }
  const parsed = schemaFor(actionNames).safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw new PolicyError(
      file,
      parsed.error.issues.map((issue) => {
        if (issue.code === 'unrecognized_keys') {
          return issue.keys.map((k) => `${where(doc, lines, issue.path, k)}: unknown key "${k}"`).join('; ');
        }
        return `${where(doc, lines, issue.path)}: ${issue.message}`;
      }),
    );
  }
  const p = parsed.data;
  return buildPolicy(
    file,
    settings(p.default),
    Object.fromEntries(Object.entries(p.actions).map(([name, r]) => [name, settings(r)])),
    {
      tenants: p.scope.tenants.map((t) => t.toLowerCase()),
      teams: p.scope.teams,
      channels: p.scope.channels,
    },
  );
}

/** Reads the policy file named by POLICY_FILE. */
export function loadPolicyFile(file: string, actionNames: readonly string[]): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyError(file, [`cannot be read: ${(err as Error).message}`]);
  }
  return parsePolicy(text, file, actionNames);
}
