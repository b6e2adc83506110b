// The floor of any Node endpoint, for test/bench/endpoint.bench.ts: a bare http.createServer that parses the
// same JSON row, encodes it with the model's own encoder and calls session.run, with no checks, batching or
// log. Prints its port on stdout once listening. Usage: node --import tsx endpoint-floor.ts MODEL
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as ort from 'onnxruntime-node';
import { encode } from '../../examples/flight-delays/steps/lib/features.mjs';
import { inspectOnnx } from '../../core/model/onnx-inspect';

async function main(): Promise<void> {
  const file = process.argv[2]!;
  const encoder = JSON.parse((await inspectOnnx(file)).metadata.feature_encoder!);
  const session = await ort.InferenceSession.create(file);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const rows = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>[];
      const columns = Object.fromEntries(encoder.columns.map((c: { column: string }) => [c.column, rows.map((r) => r[c.column])]));
      const m = encode(encoder, { rows: rows.length, columns });
      const out = await session.run({ features: new ort.Tensor('float32', m.data, [m.rows, m.width]) });
      const body = JSON.stringify({ predictions: [...(out.probability!.data as Float32Array)] });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
  process.on('SIGTERM', () => process.exit(0));
}

void main();
