#!/usr/bin/env node
import { ConfigError } from '../app/config.js';
import { StartupError } from '../app/startup-error.js';
import { redactorForEnv } from '../adapters/secret-redactor.js';
import { UsageError } from './cli-options.js';
import { CONFIG_USAGE, configCommand } from './config-command.js';
import { CONVERT_USAGE, convertCommand } from './convert-command.js';
import { DEMO_USAGE, demoCommand } from './demo-command.js';
import { REPLAY_USAGE, replayCommand } from './replay-command.js';
import { SERVE_USAGE, serveCommand } from './serve-command.js';
import { SYNC_USAGE, syncCommand } from './sync-command.js';

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  serve: serveCommand,
  sync: syncCommand,
  replay: replayCommand,
  demo: demoCommand,
  config: configCommand,
  convert: convertCommand,
};

const USAGE = `usage:
  ${SERVE_USAGE}
  ${SYNC_USAGE}
  ${REPLAY_USAGE}
  ${DEMO_USAGE}
  ${CONFIG_USAGE}
  ${CONVERT_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    process.stderr.write(`instruments: unknown command "${command}"; accepted: ${Object.keys(COMMANDS).join(', ')}\n${USAGE}\n`);
    return 2;
  }
  try {
    return await run(args);
  } catch (error) {
    // Bad flags and bad config are the caller's to fix: say what and exit 2, without a stack.
    if (error instanceof UsageError || error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`instruments ${command}: ${redactorForEnv(process.env).scrub((error as Error).message)}\n`);
      return 2;
    }
    if (error instanceof StartupError) {
      process.stderr.write(`instruments ${command}: ${redactorForEnv(process.env).scrub(error.message)}\n`);
      return 1;
    }
    throw error;
  }
}

// CCXT keeps sockets alive; exit explicitly once the command is done.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`instruments: ${redactorForEnv(process.env).scrub(text)}\n`);
    process.exit(1);
  },
);
