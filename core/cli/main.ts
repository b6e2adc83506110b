// The `flowbench` command: dispatches to one module per command and turns every failure into a
// clear message and an exit code scripts can use (see docs/cli.md).
import { EXIT, ReportedFailure, UsageError } from './errors';
import { consoleOutput, line, problemLines } from './output';
import { Failure } from '../failure';
import { commandUsage, generalUsage } from './usage';
import type { Output } from './output';
import { version } from '../../package.json';
import { ownNodeModules } from './node-modules';

type Command = (args: string[], o: Output) => Promise<number>;

/**
 * Each command is a bundle of its own (dist/lazy/, see scripts/build.mjs), required when it runs: `flowbench status`
 * does not compile the code of `deploy` or `card`.
 */
const COMMANDS: Record<string, () => Command> = {
  validate: () => (require('./commands/validate') as typeof import('./commands/validate')).validateCommand,
  run: () => (require('./commands/run') as typeof import('./commands/run')).runCommand,
  status: () => (require('./commands/status') as typeof import('./commands/status')).statusCommand,
  runs: () => (require('./commands/runs') as typeof import('./commands/runs')).runsCommand,
  show: () => (require('./commands/show') as typeof import('./commands/show')).showCommand,
  sweep: () => (require('./commands/sweep') as typeof import('./commands/sweep')).sweepCommand,
  apply: () => (require('./commands/apply') as typeof import('./commands/apply')).applyCommand,
  test: () => (require('./commands/test') as typeof import('./commands/test')).testCommand,
  model: () => (require('./commands/model') as typeof import('./commands/model')).modelCommand,
  card: () => (require('./commands/card') as typeof import('./commands/card')).cardCommand,
  preview: () => (require('./commands/preview') as typeof import('./commands/preview')).previewCommand,
  deploy: () => (require('./commands/deploy') as typeof import('./commands/deploy')).deployCommand,
  endpoints: () => (require('./commands/endpoints') as typeof import('./commands/endpoints')).endpointsCommand,
  undeploy: () => (require('./commands/endpoints') as typeof import('./commands/endpoints')).undeployCommand,
  metrics: () => (require('./commands/metrics') as typeof import('./commands/metrics')).metricsCommand,
  invoke: () => (require('./commands/invoke') as typeof import('./commands/invoke')).invokeCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const o = consoleOutput((command === 'run' || command === 'sweep') && args.includes('--events'));
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    line(o.out, command === 'help' && args[0] ? commandUsage(args[0]) : generalUsage());
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    line(o.out, version);
    return EXIT.ok;
  }
  const handler = COMMANDS[command];
  if ((command === 'run' || command === 'sweep') && !process.env.FLOWBENCH_NODE_MODULES) {
    const nodeModules = ownNodeModules();
    if (nodeModules) process.env.FLOWBENCH_NODE_MODULES = nodeModules;
  }
  try {
    if (!handler) throw new UsageError(`unknown command '${command}'`, `commands are: ${Object.keys(COMMANDS).join(', ')}`);
    if (args.includes('--help') || args.includes('-h')) {
      line(o.out, commandUsage(command));
      return EXIT.ok;
    }
    return await handler()(args, o);
  } catch (err) {
    if (err instanceof ReportedFailure) return err.exitCode;
    if (err instanceof Failure) {
      problemLines(o.err, `flowbench ${command}`, err);
      return EXIT.failed;
    }
    if (err instanceof UsageError) {
      problemLines(o.err, 'flowbench', err);
      line(o.err, '\n' + (err.command ? commandUsage(err.command) : generalUsage()));
      return EXIT.usage;
    }
    line(o.err, `flowbench: internal error: ${(err as Error)?.message ?? String(err)}`);
    if (process.env.FLOWBENCH_DEBUG) line(o.err, String((err as Error)?.stack ?? err));
    else line(o.err, 'run with FLOWBENCH_DEBUG=1 for details');
    return EXIT.failed;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`flowbench: internal error: ${String(err)}\n`);
    process.exitCode = EXIT.failed;
  },
);
