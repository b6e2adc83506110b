// The folder of the bundles (dist/) from a bundle's own: a chunk in dist/lazy/ (an extension chunk, a CLI
// command, scripts/build.mjs) looks for the process bundles it starts (ort-worker.js, endpoint-server.js) one up.
import { basename, dirname } from 'node:path';

export function distDir(bundleDir: string): string {
  return basename(bundleDir) === 'lazy' ? dirname(bundleDir) : bundleDir;
}
