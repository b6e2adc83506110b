// The SQL preview panel's message contract: the only module the panel (webviews/sql-preview) and its host
// (extension/panels/sql-preview-controller.ts) import from each other. Pure TS, no core code bundled.
import { command, notification } from '../platform/protocol';

/** Which step is previewed; the webview saves it so a reloaded window asks for the same again. */
export interface PreviewTarget {
  flowFile: string;
  step: string;
}

export interface ViewState {
  target?: PreviewTarget;
}

/** What `flowbench preview STEP --json` prints (core/sql/execute.ts SqlPreview). */
export interface SqlPreviewData {
  step: string;
  warehouse: string;
  dialect: 'duckdb' | 'snowflake';
  sql: string;
  columns: string[];
  rows: unknown[][];
}

// host → webview
/** What the panel shows now: a preview, or why there is none (the error names the SQL file's line and column). */
export const PreviewChanged = notification<{ target?: PreviewTarget; loading?: boolean; preview?: SqlPreviewData; error?: string }>('sqlPreview/show');

// webview → host
/** Run the preview again (after editing the SQL or running upstream steps). */
export const Refresh = command<Record<string, never>>('sqlPreview/refresh');
