/**
 * Everything the benchmark takes from the project itself, in one file, so moving a module under src/ (or the
 * bundle's entry point) changes this file and nothing else in bench/. The bots under test run from the built
 * bundle ({@link bundleEntry}); the rest is what the harness needs to replay the bot's own Graph calls (its
 * configuration, app token and on-behalf-of exchange) and Teams' send windows to check the offered load.
 */
export { bundleEntry } from '../scripts/bundle';
export { createAppCredential, graphScope } from '../src/infra/auth/app-credential';
export { exchangeOnBehalfOf } from '../src/infra/auth/on-behalf-of';
export { DEFAULT_BULK_CONCURRENCY, loadConfig } from '../src/infra/config';
export { baseConversationId } from '../src/domain/conversation';
export { TEAMS_SEND_LIMITS } from '../src/teams/send-windows';
export type { RateWindow } from '../src/infra/rate-window';
