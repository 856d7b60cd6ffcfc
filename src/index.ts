import { startApp } from './teams/app';
import { ConfigError, loadConfig } from './infra/config';
import { PolicyError } from './domain/governance/policy-file';
import { createLogger } from './infra/logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee env/.env.local for every key and its meaning.\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  let app;
  try {
    app = await startApp(config, logger);
  } catch (err) {
    if (err instanceof PolicyError) {
      process.stderr.write(
        `${err.message}\nFix the file named by POLICY_FILE; see config/policy.example.yaml.\n`,
      );
      process.exit(2);
    }
    throw err;
  }
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

void main();
