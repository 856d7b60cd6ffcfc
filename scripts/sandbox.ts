/**
 * `npm run sandbox`: the bot against a simulated Contoso tenant, in the Microsoft 365 Agents Playground.
 * No Azure, no Teams tenant and no network: everything listens on loopback, on free ports. Ctrl-C stops it all.
 */
import { SANDBOX_TRY_COMMANDS, startSandbox } from '../test/sandbox/sandbox';

async function main(): Promise<void> {
  if (!process.env.NODE_EXTRA_CA_CERTS) {
    process.stderr.write(
      'The simulated tenant serves HTTPS with a local certificate that Node must trust from the start.\n' +
        'Run the sandbox with `npm run sandbox` (it creates the certificate and sets NODE_EXTRA_CA_CERTS).\n',
    );
    process.exit(2);
  }
  const fourEyes = process.argv.includes('--four-eyes');
  const sandbox = await startSandbox({
    logLevel: process.env.LOG_LEVEL ?? 'warn',
    logFormat: 'pretty',
    fourEyes,
  });
  const url = sandbox.playground?.url ?? '(no Playground)';
  const lines = [
    '',
    `  Sandbox ready. Open ${url} in a browser.`,
    '',
    '  In Teams Channel › Provisioning, type @Provisioning Fixer and pick the bot, then a command:',
    ...SANDBOX_TRY_COMMANDS.map((c) => `      ${c}`),
    '',
    '  You are Ada Admin, who holds every remediation role: Approve runs the change in the simulated tenant.',
    fourEyes
      ? '  Four-eyes, as in production: your own requests need someone else. Type act-as reggie, ask for a fix as'
      : '  Here you may approve your own requests. To see four-eyes, the production default, run',
    fourEyes
      ? '  Reggie Requester, then act-as me and Approve it yourself.'
      : '  npm run sandbox -- --four-eyes; act-as reggie and act-as me switch who you are.',
    `  Bot ${sandbox.botEndpoint} · Entra ${sandbox.tenant.entra.url} · Graph ${sandbox.tenant.graph.url}`,
    '  Press Ctrl-C to stop everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n  ${signal}: stopping the Playground, the bot and the simulated tenant…\n`);
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`The sandbox could not start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
