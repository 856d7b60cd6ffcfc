import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Paths pino blanks before a line is written: tokens, secrets and assertions must never reach a log,
 * whatever object a caller happens to pass.
 */
export const REDACTED_PATHS = [
  'token',
  'accessToken',
  'assertion',
  'secret',
  'password',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.token',
  '*.accessToken',
  '*.assertion',
  '*.clientSecret',
  '*.password',
  '*.authorization',
  'value.authentication',
  '*.value.authentication',
  'config.botPassword',
  'config.aadAppClientSecret',
  'connectionString',
  '*.connectionString',
];

/**
 * One structured logger per process; child loggers carry the turn's correlation id. JSON lines for log
 * collectors; `pretty` turns the same entries into one readable line each for a person at a terminal.
 */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  format: 'json' | 'pretty' = 'json',
): Logger {
  const out =
    destination ??
    (format === 'pretty'
      ? pretty({ sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' })
      : undefined);
  return pino(
    {
      level,
      base: { service: 'entra-provisioning-chatops' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    out,
  );
}

/** The message of anything thrown, for a log field: errors are logged by message, never with their objects. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
