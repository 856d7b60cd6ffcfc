import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ContractRequest, ContractResponse } from './graph-contract';

/** Where fakes leave the exchanges of each jest run, one folder per run, for the contract suite. */
export const RUN_LOG_ROOT = join(__dirname, '..', '..', '.data', 'graph-contract');

/** Set by jest's globalSetup to this run's folder; workers inherit it. */
const RUN_DIR_VARIABLE = 'GRAPH_CONTRACT_RUN_DIR';
const LATEST = join(RUN_LOG_ROOT, 'latest');
const KEEP_RUNS = 3;

/** One request a fake answered, with its answer and the test that caused it. */
export interface Exchange {
  readonly request: ContractRequest;
  readonly response: ContractResponse;
  /** Sent by the product's Graph client (it names itself in the SdkVersion header). */
  readonly product: boolean;
  readonly test: string;
}

const FILE = `${process.pid}-${randomBytes(4).toString('hex')}.jsonl`;

/** True when a jest run records: never in the sandbox or the benchmarks. */
export function recording(): boolean {
  return process.env[RUN_DIR_VARIABLE] !== undefined;
}

/** The running test, as jest names it, so a contract failure points at the test that caused it. */
export function currentTest(): string {
  const state = (
    globalThis as { expect?: { getState?: () => { testPath?: string; currentTestName?: string } } }
  ).expect?.getState?.();
  const path = state?.testPath?.replace(/^.*\/test\//, 'test/') ?? 'unknown file';
  return `${path} › ${state?.currentTestName ?? '(outside a test)'}`;
}

/** Appends exchanges to this process's file of the run log. */
export function appendExchanges(exchanges: readonly Exchange[]): void {
  const dir = process.env[RUN_DIR_VARIABLE];
  if (exchanges.length === 0 || dir === undefined) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, FILE), exchanges.map((e) => `${JSON.stringify(e)}\n`).join(''));
}

/** Starts a run's folder (jest globalSetup), dropping all but the newest earlier runs. */
export function startRun(): void {
  mkdirSync(RUN_LOG_ROOT, { recursive: true });
  const runs = readdirSync(RUN_LOG_ROOT)
    .filter((d) => /^run-/.test(d))
    .sort();
  for (const old of runs.slice(0, Math.max(0, runs.length - KEEP_RUNS + 1))) {
    rmSync(join(RUN_LOG_ROOT, old), { recursive: true, force: true });
  }
  const dir = join(RUN_LOG_ROOT, `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(dir);
  process.env[RUN_DIR_VARIABLE] = dir;
}

/** Marks the run finished (jest globalTeardown): the contract suite checks the latest finished run. */
export function finishRun(): void {
  const dir = process.env[RUN_DIR_VARIABLE];
  if (dir !== undefined) writeFileSync(LATEST, dir);
}

/** The latest finished run's folder, and every exchange recorded in it. */
export function readLatestRun(): { dir: string | undefined; exchanges: Exchange[] } {
  let dir: string;
  try {
    dir = readFileSync(LATEST, 'utf8').trim();
  } catch {
    return { dir: undefined, exchanges: [] };
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  const exchanges = files.flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Exchange),
  );
  return { dir, exchanges };
}
