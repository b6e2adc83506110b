// The node_modules folder the CLI loads its native packages (DuckDB, ONNX Runtime) from, given to every step
// as FLOWBENCH_NODE_MODULES. A step that cannot carry them (the example project the extension writes: bundled
// steps, no node_modules beside them; ESM ignores NODE_PATH) loads them from there with a require rooted at it.
import { sep } from 'node:path';

const MARK = `${sep}node_modules${sep}`;

export function ownNodeModules(): string | undefined {
  try {
    const entry = require.resolve('onnxruntime-node');
    const at = entry.lastIndexOf(MARK);
    return at < 0 ? undefined : entry.slice(0, at + MARK.length - 1);
  } catch {
    return undefined; // not installed beside this CLI: steps bring their own
  }
}
