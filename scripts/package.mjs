// Builds a per-platform VSIX: production bundles plus only the native packages the bundles leave
// external (DuckDB, ONNX Runtime), carrying only the target platform's binaries.
//
//   node scripts/package.mjs [--target linux-x64] [--target darwin-arm64 ...] [--all] [--skip-build]
//
// Everything the VSIX holds is assembled in a staging folder (dist/vsix/<target>/) and packaged from
// there (vsce's own `npm list` then finds exactly the staged packages), so nothing else from the repository can slip in;
// .vscodeignore then trims what the copied dependencies carry but never load (maps, typings, docs).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** vsce target → where each native package keeps that platform's binaries. */
const TARGETS = {
  'linux-x64': { onnx: 'linux/x64', duckdb: 'linux-x64' },
  'linux-arm64': { onnx: 'linux/arm64', duckdb: 'linux-arm64' },
  'darwin-arm64': { onnx: 'darwin/arm64', duckdb: 'darwin-arm64' },
  'win32-x64': { onnx: 'win32/x64', duckdb: 'win32-x64' },
  'win32-arm64': { onnx: 'win32/arm64', duckdb: 'win32-arm64' },
};
/** The packages the bundles import at run time (see scripts/build.mjs `external`). */
// snowflake-sdk: loaded by the CLI only, and too large (and native in part) to bundle
const NATIVE_ROOTS = ['@duckdb/node-api', 'onnxruntime-node', 'snowflake-sdk'];
/** Dependencies used only by a package's own download-at-install script, never at run time. */
const INSTALL_ONLY = new Set(['adm-zip', 'global-agent', 'prebuild-install']);
/**
 * better-sqlite3 (reading mlflow.db, in the CLI process only) has no prebuilt binaries offline: npm builds it
 * from source for this machine, so only a VSIX for this machine's platform can carry it. Other targets ship
 * without it, and the CLI says so when asked to read an mlflow.db (servers and mlruns/ folders still work).
 */
const SQLITE = 'better-sqlite3';
const hostTarget = `${process.platform}-${process.arch}`;

function parseArgs(argv) {
  const targets = [];
  for (let i = 0; i < argv.length; i++) if (argv[i] === '--target') targets.push(argv[++i]);
  if (argv.includes('--all')) targets.push(...Object.keys(TARGETS));
  const unknown = targets.filter((t) => !TARGETS[t]);
  if (unknown.length) {
    console.error(`unsupported target ${unknown.join(', ')}; supported: ${Object.keys(TARGETS).join(', ')}`);
    process.exit(2);
  }
  return { targets: targets.length ? [...new Set(targets)] : ['linux-x64'], skipBuild: argv.includes('--skip-build') };
}

function packageDir(name, from = root) {
  // Node's lookup order: nested node_modules first, then the hoisted copy at the root.
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dir === dirname(dir)) return undefined;
  }
}

/** The platform's DuckDB binding: from node_modules when npm installed it here, else fetched with `npm pack`. */
function duckdbBinding(target) {
  const name = `@duckdb/node-bindings-${TARGETS[target].duckdb}`;
  const installed = packageDir(name);
  if (installed) return installed;
  const version = JSON.parse(readFileSync(join(packageDir('@duckdb/node-bindings'), 'package.json'), 'utf8')).version;
  const packs = join(root, 'dist', 'vsix', '.packs');
  const dir = join(packs, `${TARGETS[target].duckdb}-${version}`);
  if (!existsSync(join(dir, 'package.json'))) {
    mkdirSync(dir, { recursive: true });
    const tarball = execFileSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', packs], { cwd: packs, encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['-xzf', join(packs, tarball), '-C', dir, '--strip-components=1']);
  }
  return dir;
}

/**
 * Every package the native roots need at run time, as [where it goes under the staging folder, source folder].
 * A package keeps its place in the tree: a version nested under its dependent (snowflake-sdk brings several
 * that differ from the hoisted ones) stays nested, so each dependent loads the version it asked for.
 */
function runtimeClosure(target) {
  const found = new Map();
  const visit = (name, from) => {
    if (INSTALL_ONLY.has(name)) return;
    const dir = packageDir(name, from);
    if (!dir) throw new Error(`${name} is not installed; run npm install`);
    const place = relative(root, dir);
    if (found.has(place)) return;
    found.set(place, dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir);
  };
  for (const name of NATIVE_ROOTS) visit(name, root);
  if (target === hostTarget) visit(SQLITE, root);
  else console.warn(`${target}: ${SQLITE} is built for ${hostTarget} only; this VSIX reads MLflow servers and mlruns/ folders, not mlflow.db`);
  found.set(join('node_modules', `@duckdb/node-bindings-${TARGETS[target].duckdb}`), duckdbBinding(target));
  return found;
}

function copyPackage(place, source, stagingDir, target) {
  const name = place.slice(place.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const onnxBinaries = join(source, 'bin', 'napi-v6');
  cpSync(source, join(stagingDir, place), {
    recursive: true,
    dereference: true,
    filter: (path) => {
      if (path === join(source, 'node_modules')) return false; // nested deps are copied as packages of their own
      // better-sqlite3: only the built addon, not the SQLite sources it was built from or the build's objects.
      if (name === SQLITE && [join(source, 'deps'), join(source, 'src'), join(source, 'build', 'Release', 'obj'), join(source, 'build', 'Release', 'obj.target'), join(source, 'build', 'Release', 'test_extension.node'), join(source, 'build', 'Release', 'sqlite3.a'), join(source, 'build', 'Release', '.deps'), join(source, 'build', 'deps')].includes(path)) return false;
      if (name !== 'onnxruntime-node' || !path.startsWith(onnxBinaries + '/')) return true;
      const rel = relative(onnxBinaries, path); // e.g. linux, linux/x64, linux/x64/libonnxruntime.so.1
      const wanted = TARGETS[target].onnx;
      return wanted === rel || wanted.startsWith(rel + '/') || rel.startsWith(wanted + '/');
    },
  });
  // The staged copy ships without its download-at-install script, so its manifest must not ask for that script's deps.
  const manifestFile = join(stagingDir, place, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  const installOnly = Object.keys(manifest.dependencies ?? {}).filter((dep) => INSTALL_ONLY.has(dep));
  if (installOnly.length) {
    for (const dep of installOnly) delete manifest.dependencies[dep];
    delete manifest.scripts;
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  }
}

function stage(target) {
  const dir = join(root, 'dist', 'vsix', target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'dist'), { recursive: true });
  for (const file of ['extension.js', 'language-client.js', 'server.js', 'cli.js', 'ort-worker.js', 'endpoint-server.js', 'aws-services.js', 'flow.schema.json']) {
    if (!existsSync(join(root, 'dist', file))) throw new Error(`dist/${file} is missing: the build did not produce it`);
    cpSync(join(root, 'dist', file), join(dir, 'dist', file));
  }
  if (!existsSync(join(root, 'dist', 'lazy'))) throw new Error('dist/lazy is missing: the build did not produce the extension\'s lazy chunks');
  cpSync(join(root, 'dist', 'lazy'), join(dir, 'dist', 'lazy'), { recursive: true });
  if (!existsSync(join(root, 'dist', 'webviews'))) throw new Error('dist/webviews is missing: the build did not produce the panels');
  cpSync(join(root, 'dist', 'webviews'), join(dir, 'dist', 'webviews'), { recursive: true });
  cpSync(join(root, 'dist', 'example'), join(dir, 'dist', 'example'), { recursive: true });
  cpSync(join(root, 'media'), join(dir, 'media'), { recursive: true });
  cpSync(join(root, 'media', 'README.extension.md'), join(dir, 'README.md'));
  if (existsSync(join(root, 'LICENSE'))) cpSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));

  const closure = runtimeClosure(target);
  for (const [place, source] of closure) copyPackage(place, source, dir, target);

  const manifest = { ...pkg };
  delete manifest.devDependencies;
  delete manifest.scripts;
  manifest.dependencies = Object.fromEntries([...NATIVE_ROOTS, ...(closure.has(join('node_modules', SQLITE)) ? [SQLITE] : [])].map((name) => [name, pkg.dependencies[name]]));
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  return dir;
}

/** Where the VSIX of a target lands; the editor script and the e2e suite install it from there. */
function vsixPath(target) {
  return join(root, 'dist', `${pkg.name}-${target}.vsix`);
}

function sizeOf(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

const { targets, skipBuild } = parseArgs(process.argv.slice(2));
if (!skipBuild) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
for (const target of targets) {
  const dir = stage(target);
  const out = vsixPath(target);
  execFileSync(
    process.execPath,
    [vsce, 'package', '--dependencies', '--target', target, '--out', out, '--ignoreFile', join(root, '.vscodeignore'), '--skip-license', '--allow-missing-repository'],
    { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const mb = (sizeOf(out) / 1024 / 1024).toFixed(1);
  console.log(`VSIX ${relative(process.cwd(), out)}: ${mb} MB (${target}; staged ${(sizeOf(dir) / 1024 / 1024).toFixed(1)} MB unpacked)`);
}
