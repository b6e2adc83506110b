// `npm run editor`: the editor in one command. Builds the linux-x64 VSIX, installs code-server (a real
// VS Code, the one the e2e suite drives) if needed, installs Flowbench into it, opens the flight-delays
// example and prints the URL. Serves on 127.0.0.1 only; Ctrl-C stops it.
//
//   npm run editor [-- --port 8080] [-- --folder path/to/workspace]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' }, folder: { type: 'string' } } });
const folder = resolve(values.folder ?? join(root, 'examples', 'flight-delays'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entry = join(root, 'test/e2e/.cache/code-server-4.100.3/node_modules/code-server/out/node/entry.js');
// Kept between runs so the editor remembers layout and state; git-ignored with the rest of the cache.
const home = join(root, 'test/e2e/.cache/editor');

execFileSync(process.execPath, [join(root, 'scripts/package.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const vsix = join(root, 'dist', `${pkg.name}-linux-x64.vsix`);
execFileSync('bash', [join(root, 'scripts/setup-e2e.sh')], { stdio: 'inherit' });

const userDataDir = join(home, 'user-data');
mkdirSync(join(userDataDir, 'User'), { recursive: true });
const settingsFile = join(userDataDir, 'User', 'settings.json');
if (!existsSync(settingsFile)) {
  writeFileSync(settingsFile, JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off' }, null, 2));
}
const configFile = join(home, 'config.yaml');
writeFileSync(configFile, 'auth: none\ncert: false\n');
const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', join(home, 'extensions')];
execFileSync(process.execPath, [entry, ...common, '--install-extension', vsix, '--force'], { stdio: ['ignore', 'ignore', 'inherit'] });

const bind = `127.0.0.1:${values.port}`;
const server = spawn(process.execPath, [entry, ...common, '--auth', 'none', '--bind-addr', bind, '--disable-telemetry', '--disable-update-check', folder], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
server.stdout.on('data', (chunk) => {
  if (chunk.toString().includes('HTTP server listening')) {
    console.log(`\nFlowbench ${pkg.version} is installed in VS Code (code-server), with ${folder} open:\n\n  http://${bind}/?folder=${encodeURIComponent(folder)}\n\nCtrl-C stops it.`);
  }
});
const stop = () => server.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.on('exit', (code) => process.exit(code ?? 0));
