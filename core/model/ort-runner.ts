// The ModelRunner of `flowbench card`: each batch goes to the ONNX Runtime worker process (ort-client.ts),
// so the runtime never loads in the caller, and a model that crashes or hangs it ends only that child.
import type { ModelRunner } from './checks';
import { askOrt } from './ort-client';

export function ortRunner(): ModelRunner {
  return {
    async run(file, feeds, output) {
      const answer = await askOrt({ op: 'run', file, feeds: Object.entries(feeds).map(([name, f]) => ({ name, type: f.type, dims: f.dims, data: f.data })), fetches: [output] });
      if (!answer.ok) throw new Error(answer.error);
      if (answer.op !== 'run') throw new Error(`unexpected answer '${answer.op}' from the ONNX Runtime worker`);
      const out = answer.outputs.find((o) => o.name === output);
      if (!out) throw new Error(`the model gave no output '${output}'`);
      if (out.data.some((v) => typeof v !== 'number')) throw new Error(`output '${output}' is not numeric (${out.type})`);
      return { dims: out.dims, data: out.data as number[] };
    },
  };
}
