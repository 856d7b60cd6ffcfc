import type { RunnerIdentity } from './remediation';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How to tell whether the process that took on some work has gone. */
export interface LivenessCheck {
  /** This process. */
  readonly self: RunnerIdentity;
  readonly now: number;
  /** Silent this long (ms) since its last sign of life, a process on another host is presumed gone. */
  readonly staleAfterMs: number;
  /** Whether a process on this host still runs; injectable for tests. */
  readonly isAlive?: (pid: number) => boolean;
}

/**
 * Whether the process that took on some work has gone, so another may settle or resume it: never this
 * process; on this host, when its pid no longer runs; elsewhere, when its last sign of life is too old.
 * Shared by the reconciliation of single remediations and the resumption of bulk runs.
 */
export function runnerGone(
  runner: RunnerIdentity | undefined,
  lastSignOfLife: string | undefined,
  check: LivenessCheck,
): boolean {
  if (runner?.instanceId === check.self.instanceId) return false;
  if (runner && runner.host === check.self.host && !(check.isAlive ?? processAlive)(runner.pid)) return true;
  const since = Date.parse(lastSignOfLife ?? '');
  return Number.isFinite(since) && check.now - since > check.staleAfterMs;
}
