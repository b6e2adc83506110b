// Entry of dist/server.js, the Flowbench language server (started with --stdio or --node-ipc). The same
// bundle, loaded in a worker thread, is the flow analysis worker.
import { isMainThread, parentPort } from 'node:worker_threads';
import { serveAnalysis } from './analyzer';
import { startServer } from './connection';

if (isMainThread) startServer(__filename);
else if (parentPort) serveAnalysis(parentPort);
