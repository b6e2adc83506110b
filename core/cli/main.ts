// The `flowbench` command: dispatches to one module per command and turns every failure into a
// clear message and an exit code scripts can use (see docs/cli.md).
import { EXIT, UsageError } from './errors';
import { ReportedFailure } from './load';
import { consoleOutput, line, problemLines } from './output';
import { isFailure } from '../failure';
import { commandUsage, generalUsage } from './usage';
import { validateCommand } from './commands/validate';
import { runCommand } from './commands/run';
import { statusCommand } from './commands/status';
import { runsCommand } from './commands/runs';
import { showCommand } from './commands/show';
import { sweepCommand } from './commands/sweep';
import { applyCommand } from './commands/apply';
import { testCommand } from './commands/test';
import { modelCommand } from './commands/model';
import { cardCommand } from './commands/card';
import { previewCommand } from './commands/preview';
import { deployCommand } from './commands/deploy';
import { endpointsCommand, undeployCommand } from './commands/endpoints';
import { metricsCommand } from './commands/metrics';
import { invokeCommand } from './commands/invoke';
import type { Output } from './output';
import { version } from '../../package.json';
import { ownNodeModules } from './node-modules';

const COMMANDS: Record<string, (args: string[], o: Output) => Promise<number>> = {
  validate: validateCommand,
  run: runCommand,
  status: statusCommand,
  runs: runsCommand,
  show: showCommand,
  sweep: sweepCommand,
  apply: applyCommand,
  test: testCommand,
  model: modelCommand,
  card: cardCommand,
  preview: previewCommand,
  deploy: deployCommand,
  endpoints: endpointsCommand,
  undeploy: undeployCommand,
  metrics: metricsCommand,
  invoke: invokeCommand,
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
    return await handler(args, o);
  } catch (err) {
    if (err instanceof ReportedFailure) return err.exitCode;
    if (isFailure(err)) {
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
