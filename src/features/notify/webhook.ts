import { createHmac, timingSafeEqual } from 'node:crypto';
import { InFlight } from '../../infra/in-flight';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { Clock } from '../../infra/clock';
import { errorMessage, type Logger } from '../../infra/logger';
import type { ConversationDirectory } from './conversation-directory';
import { FAILURE_KINDS, remediationFor } from '../../domain/actions/registry';
import { cleanText, type DetectedFailure } from '../../domain/failures/failure';
import type { FailureNotifier } from './notifier';

/** Header names external monitors sign with (documented in docs/notifications.md). */
export const WEBHOOK_HEADERS = { signature: 'x-signature', timestamp: 'x-timestamp' } as const;

/** Bodies over this are refused with 413 before they are read further or parsed. */
export const MAX_WEBHOOK_BYTES = 64 * 1024;

/** A signed request older or newer than this is refused (replay protection). */
export const WEBHOOK_WINDOW_MS = 5 * 60_000;

/** The signature an external monitor sends: hex HMAC-SHA256 of `${timestamp}.${rawBody}`. */
export function signWebhook(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** Why a request was refused, or that it may go on. */
export type SignatureVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: 'MissingHeaders' | 'BadTimestamp' | 'StaleTimestamp' | 'BadSignature';
    };

/** The inputs of a signature check; header values as received. */
export interface SignatureCheck {
  readonly secret: string;
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
  readonly rawBody: Buffer;
  readonly nowMs: number;
}

/**
 * Checks X-Timestamp (unix seconds, within five minutes) and X-Signature (hex, or `sha256=<hex>`) with a
 * constant-time comparison, so neither a replay nor byte-by-byte guessing gets through.
 */
export function verifySignature(c: SignatureCheck): SignatureVerdict {
  if (!c.signature || !c.timestamp) return { ok: false, reason: 'MissingHeaders' };
  const timestamp = c.timestamp.trim();
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'BadTimestamp' };
  if (Math.abs(c.nowMs - Number(timestamp) * 1000) > WEBHOOK_WINDOW_MS)
    return { ok: false, reason: 'StaleTimestamp' };
  const hex = c.signature.trim().replace(/^sha256=/i, '');
  if (!/^[0-9a-f]{64}$/i.test(hex)) return { ok: false, reason: 'BadSignature' };
  const expected = Buffer.from(signWebhook(c.secret, timestamp, c.rawBody), 'hex');
  const given = Buffer.from(hex, 'hex');
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'BadSignature' };
}

const identifier = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9@._:-]+$/, 'must be an identifier (letters, digits and @ . _ : - only)');

/** The body external monitors post. */
export const webhookEventSchema = z
  .object({
    kind: z.enum(FAILURE_KINDS),
    /** The failed object: user id or UPN, request id, provisioning policy id. */
    targetId: identifier,
    targetName: z.string().trim().min(1).max(200).optional(),
    error: z.object({
      code: z.string().trim().min(1).max(128),
      message: z.string().trim().min(1).max(2000),
    }),
    /** Post only to this conversation (where the bot must be installed). */
    conversationId: z.string().trim().min(1).max(512).optional(),
    occurredAt: z.string().datetime({ offset: true }).optional(),
    /** For `sync`: the enterprise app (service principal object id) and optionally its job. */
    servicePrincipalId: identifier.optional(),
    jobId: identifier.optional(),
  })
  .superRefine((event, ctx) => {
    if (event.kind === 'sync' && !event.servicePrincipalId) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['servicePrincipalId'],
        message: 'is required for kind sync (provision-on-demand needs the app)',
      });
    }
  });

/** A validated webhook event. */
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** Parses and validates a body; a refusal names the first bad field. */
export function parseWebhookEvent(
  rawBody: Buffer,
): { ok: true; event: WebhookEvent } | { ok: false; field: string; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, field: '(body)', message: 'the body is not valid JSON' };
  }
  const parsed = webhookEventSchema.safeParse(json);
  if (parsed.success) return { ok: true, event: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(body)';
  return { ok: false, field, message: `${field}: ${issue?.message ?? 'invalid'}` };
}

/** Turns a webhook event into the same shape the monitor produces. */
export function failureFromEvent(event: WebhookEvent, now: Date): DetectedFailure {
  const sync = event.kind === 'sync';
  const objectId = sync ? `${event.servicePrincipalId ?? ''}/${event.targetId}` : event.targetId;
  return {
    kind: event.kind,
    objectId,
    objectLabel: cleanText(event.targetName ?? event.targetId, 200),
    errorCode: cleanText(event.error.code, 128),
    errorMessage: cleanText(event.error.message),
    occurredAt: event.occurredAt ? new Date(event.occurredAt).toISOString() : now.toISOString(),
    remediation: remediationFor(event.kind, {
      target: event.targetId,
      app: event.servicePrincipalId,
      job: event.jobId,
    }),
  };
}

/** Reads a request body, stopping as soon as it grows past `limit` bytes. */
export function readLimitedBody(
  stream: Readable,
  limit: number,
): Promise<{ ok: true; body: Buffer } | { ok: false; reason: 'TooLarge' | 'Aborted' }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: { ok: true; body: Buffer } | { ok: false; reason: 'TooLarge' | 'Aborted' }) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.pause();
        finish({ ok: false, reason: 'TooLarge' });
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => finish({ ok: true, body: Buffer.concat(chunks) }));
    stream.once('error', () => finish({ ok: false, reason: 'Aborted' }));
    stream.once('close', () => finish({ ok: false, reason: 'Aborted' }));
  });
}

/** The HTTP answer, for the server layer to write. */
export interface WebhookResponse {
  readonly status: 202 | 400 | 401 | 404 | 413;
  readonly body: Record<string, unknown>;
}

/** What the webhook needs. */
export interface WebhookDeps {
  readonly secret: string;
  readonly clock: Clock;
  readonly notifier: FailureNotifier;
  readonly directory: ConversationDirectory;
  readonly logger: Logger;
}

/**
 * POST /api/notifications for external monitors (Azure Monitor, Logic Apps, a SIEM): signed, fresh and
 * well-formed events go through the same dedupe and cards as the monitor's. Posting happens after the
 * 202, so a slow or throttled Teams never times the caller out.
 */
export class NotificationWebhook {
  private readonly pending = new InFlight();

  constructor(private readonly deps: WebhookDeps) {}

  /** Answers a request whose body was read (size already checked by the caller). */
  async handle(
    headers: Readonly<Record<string, string | string[] | undefined>>,
    rawBody: Buffer,
  ): Promise<WebhookResponse> {
    if (rawBody.length > MAX_WEBHOOK_BYTES) return tooLarge();
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const verdict = verifySignature({
      secret: this.deps.secret,
      signature: header(WEBHOOK_HEADERS.signature),
      timestamp: header(WEBHOOK_HEADERS.timestamp),
      rawBody,
      nowMs: this.deps.clock.now(),
    });
    if (!verdict.ok) {
      this.deps.logger.warn({ reason: verdict.reason }, 'notification webhook refused a request');
      return {
        status: 401,
        body: { error: { code: verdict.reason, message: 'The request signature or timestamp was refused.' } },
      };
    }
    const parsed = parseWebhookEvent(rawBody);
    if (!parsed.ok) {
      return {
        status: 400,
        body: { error: { code: 'InvalidBody', field: parsed.field, message: parsed.message } },
      };
    }
    const event = parsed.event;
    const now = new Date(this.deps.clock.now());
    let conversation;
    if (event.conversationId) {
      const address = await this.deps.directory.addressFor(event.conversationId);
      if (!address) {
        return {
          status: 404,
          body: {
            error: {
              code: 'UnknownConversation',
              field: 'conversationId',
              message: 'The bot is not installed in that conversation.',
            },
          },
        };
      }
      conversation = { conversationId: address.conversationId, address };
    }
    const failure = failureFromEvent(event, now);
    const run = this.deps.notifier
      .notify([{ failure, nature: 'event' }], {
        source: 'Reported by an external monitor',
        ...(conversation ? { conversation } : {}),
      })
      .catch((err: unknown) =>
        this.deps.logger.error({ err: errorMessage(err) }, 'webhook event not posted'),
      );
    this.pending.track(run);
    this.deps.logger.info(
      { kind: event.kind, errorCode: failure.errorCode },
      'notification webhook accepted an event',
    );
    return { status: 202, body: { accepted: true } };
  }

  /** Resolves when every accepted event has been posted (or given up on). */
  async drain(): Promise<void> {
    await this.pending.drain();
  }
}

function tooLarge(): WebhookResponse {
  return {
    status: 413,
    body: { error: { code: 'PayloadTooLarge', message: `The body is over ${MAX_WEBHOOK_BYTES} bytes.` } },
  };
}

/** The 413 answer, for the server layer when it stops reading early. */
export const TOO_LARGE: WebhookResponse = tooLarge();
