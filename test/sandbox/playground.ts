import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

/** The repository root: where the Playground's config file (.m365agentsplayground.yml) lives. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The Playground's configuration: the bot in a team channel with people from the Contoso tenant. */
export const PLAYGROUND_CONFIG_PATH = path.join(REPO_ROOT, '.m365agentsplayground.yml');

/** Options for {@link startPlayground}. */
export interface PlaygroundOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  readonly botEndpoint: string;
  /** Port to serve the Playground on; default a free one. */
  readonly port?: number;
  /** Where the Playground writes its own log; default beside the sandbox's data. */
  readonly logFile: string;
  readonly configPath?: string;
  /** How long to wait for "Listening on"; a guard against a hung start, not a delay. */
  readonly startTimeoutMs?: number;
}

/** A running Microsoft 365 Agents Playground (its CLI as a child process). */
export interface Playground {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Everything the CLI printed, for diagnosing a failed run. */
  output(): string;
  close(): Promise<void>;
}

/** A free TCP port on loopback, found by binding port 0; the Playground falls back to another if it is taken. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `agentsplayground -p <port> -e <bot> -c msteams --disable-telemetry` with no browser of its own,
 * and resolves once it prints the port it listens on. The CLI is the package's own, run with this Node.
 */
export async function startPlayground(opts: PlaygroundOptions): Promise<Playground> {
  const cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
  const port = opts.port ?? (await freePort());
  const args = [cli, '-p', String(port), '-e', opts.botEndpoint, '-c', 'msteams', '--disable-telemetry'];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      TEAMSAPPTESTER_BROWSER: 'none',
      M365_AGENTS_PLAYGROUND_CONFIG_PATH: opts.configPath ?? PLAYGROUND_CONFIG_PATH,
      M365_AGENTS_PLAYGROUND_LOGFILE: opts.logFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const listening = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`The Playground did not start within ${opts.startTimeoutMs ?? 30_000} ms`)),
        opts.startTimeoutMs ?? 30_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /Listening on (\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`The Playground exited (code ${code}) before listening:\n${output}`));
      });
    });
    return {
      url: `http://127.0.0.1:${listening}`,
      port: listening,
      pid: child.pid ?? -1,
      output: () => output,
      close: () => stop(child, exited),
    };
  } catch (err) {
    await stop(child, exited);
    throw err;
  }
}

/** Stops the CLI: SIGTERM, then SIGKILL if it has not exited after a grace period. */
async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const grace = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(grace);
}
