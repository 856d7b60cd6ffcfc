/** Shared pieces of the benchmark: child processes on loopback, percentiles, RSS, waits. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';

/** The repository root (bench/ sits directly under it). */
export const ROOT = path.resolve(__dirname, '..');

/** A free loopback port, found by binding port 0 and letting it go. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A child process the benchmark started; `stop()` ends it and waits, and every section calls it. */
export interface Child {
  readonly process: ChildProcess;
  readonly port: number;
  readonly output: string[];
  stop(): Promise<void>;
}

/** `err` with the end of the child's output after it, so a section that fails says what the bot said. */
export function withOutput(err: unknown, child: Child): Error {
  return new Error(`${(err as Error).message}\n${child.output.join('').slice(-3000)}`, { cause: err });
}

/**
 * Starts `node <args>` with `env` (plus PATH and the test CA) and resolves once /healthz answers 200; with
 * `ipc`, the child gets a message channel (`process.send`) for a bench that drives it step by step.
 */
export async function startChild(
  args: string[],
  env: Record<string, string>,
  port: number,
  options: { readonly ipc?: boolean } = {},
): Promise<Child> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_EXTRA_CA_CERTS: path.join(ROOT, '.test-tls/cert.pem'),
      ...env,
      PORT: String(port),
    },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (c: Buffer) => output.push(c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitHealthy(port, 20_000, () => child.exitCode !== null);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${output.join('')}`, { cause: err });
  }
  return { process: child, port, output, stop };
}

/** Polls GET /healthz every 5 ms until it answers 200; resolves the time it took (ms). */
export async function waitHealthy(port: number, timeoutMs: number, gaveUp: () => boolean): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (gaveUp()) throw new Error('the process exited before it was healthy');
    if ((await healthz(port)) === 200) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no 200 from http://127.0.0.1:${port}/healthz within ${timeoutMs} ms`);
}

function healthz(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', method: 'GET', timeout: 500 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Resident set size of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 'NaN');
  return kb / 1024;
}

/** The kernel's record of a process's largest resident set so far (VmHWM), in MB (Linux). */
export function peakRssMb(pid: number): number {
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 'NaN');
  return kb / 1024;
}

/** CPU time (user + system) a process has used so far in ms, from /proc (Linux, 100 clock ticks a second). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The p-th percentile (0-100) of a list of numbers, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Rounds for the report. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Runs `count` tasks with at most `limit` at once. */
export async function pool(
  count: number,
  limit: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/**
 * RSS after `quietS` seconds without traffic, sampled every second: V8 keeps the heap it grew under load
 * until its memory reducer runs in a quiet period (tens of seconds), so a reading taken at once measures
 * headroom, not what the process holds. Returns the last sample and the range seen.
 */
export async function quietRssMb(
  pid: number,
  quietS = 45,
): Promise<{ rssMb: number; minMb: number; maxMb: number }> {
  const samples: number[] = [rssMb(pid)];
  for (let s = 1; s <= quietS; s++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    samples.push(rssMb(pid));
  }
  return {
    rssMb: samples[samples.length - 1] ?? Number.NaN,
    minMb: Math.min(...samples),
    maxMb: Math.max(...samples),
  };
}
