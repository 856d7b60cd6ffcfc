/**
 * The bot for the monitor's simulated day (bench/monitor-day.ts): composed as src/index.ts composes it, from
 * the same environment, but on a clock the bench moves, so 288 five-minute intervals take minutes. Run as a
 * child with `--expose-gc` and an IPC channel; it answers two messages:
 * - `cycle`: moves the clock one interval on, fires the repeating tasks (the monitor's among them) and waits
 *   for the monitor's cycle to finish; answers with what the cycle found and posted;
 * - `heap`: collects garbage and answers with the V8 heap in use and the resident set.
 */
import { getHeapStatistics } from 'node:v8';
import { startApp } from '../src/teams/app';
import { loadConfig } from '../src/infra/config';
import { createLogger } from '../src/infra/logger';
import { ManualClock } from '../test/fakes/manual-clock';

/** What the bench asks for. */
export type DayRequest = { readonly op: 'cycle' } | { readonly op: 'heap' };

/** What the child answers. */
export type DayAnswer =
  | {
      readonly op: 'cycle';
      /** Failures the cycle's reads found, and those it handed on (found, or open and carried on). */
      readonly detected: number;
      readonly open: number;
      readonly behind: boolean;
    }
  | { readonly op: 'heap'; readonly heapMb: number; readonly rssMb: number };

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  const clock = new ManualClock(Date.now(), 'advance');
  const app = await startApp(config, logger, { clock });
  const intervalMs = config.notifications.monitorIntervalMs ?? 300_000;
  const answer = (a: DayAnswer) => process.send?.(a);
  process.on('message', (m: DayRequest) => {
    if (m.op === 'heap') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      answer({
        op: 'heap',
        heapMb: getHeapStatistics().used_heap_size / MB,
        rssMb: process.memoryUsage.rss() / MB,
      });
      return;
    }
    clock.advance(intervalMs);
    clock.fire();
    void app.notifications.monitor.runOnce().then((r) =>
      answer({
        op: 'cycle',
        detected: Number(r.detected['user-provisioning'] ?? 0),
        open: r.notify.failures,
        behind: Object.keys(r.behind).length > 0,
      }),
    );
  });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
