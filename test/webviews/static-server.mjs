// The component harness's file server (test/webviews/harness.ts), in a worker thread: in VS Code a webview's
// page, bundle and styles are served by the editor's own processes, never by the extension host, so a host
// that is busy (reading a run store while the page boots) must not hold up the page's loading here either.
// Serves the files of one folder (index.html at /) on 127.0.0.1, reading each at its request, as VS Code does.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

const TYPES = { '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript', '.map': 'application/json', '.svg': 'image/svg+xml', '.woff2': 'font/woff2' };
const { root } = workerData;

const server = createServer(async (req, res) => {
  const path = req.url?.split('?')[0] ?? '/';
  // Chromium asks for a favicon a webview never does; its 404 would show up as a console error.
  if (path === '/favicon.ico') return void res.writeHead(204).end();
  const file = path === '/' ? 'index.html' : path.replace(/^\/+/, '').replace(/\.\./g, '');
  try {
    const body = await readFile(join(root, file));
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
// The harness ends the worker (terminate) when it closes.
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
