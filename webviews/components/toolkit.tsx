// The toolkit's React wrappers, loaded on demand by index.tsx (FAST's web components are about 180 KB of the
// panel bundle: kept off the first-paint path).
export { VSCodeBadge, VSCodeButton, VSCodeCheckbox } from '@vscode/webview-ui-toolkit/react';
