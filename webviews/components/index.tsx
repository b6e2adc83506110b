// Our own small components. This folder is the only place that imports @vscode/webview-ui-toolkit (archived
// upstream since January 2025): replacing it with @vscode-elements/elements means editing this folder only.
// Panels use these props, never the toolkit's.
import { VSCodeBadge, VSCodeButton, VSCodeCheckbox } from '@vscode/webview-ui-toolkit/react';
import type { ReactNode } from 'react';

export interface ButtonProps {
  children: ReactNode;
  onClick(): void;
  appearance?: 'primary' | 'secondary' | 'icon';
  /** The accessible name when the content is an icon or a symbol. */
  label?: string;
  title?: string;
  disabled?: boolean;
}

export function Button({ children, onClick, appearance = 'secondary', label, title, disabled }: ButtonProps) {
  return (
    <VSCodeButton appearance={appearance} aria-label={label} title={title ?? label} disabled={disabled} onClick={() => onClick()}>
      {children}
    </VSCodeButton>
  );
}

export function Checkbox({ checked, onChange, children }: { checked: boolean; onChange(checked: boolean): void; children: ReactNode }) {
  return (
    <VSCodeCheckbox checked={checked} onChange={(event: unknown) => onChange((event as { target: { checked: boolean } }).target.checked)}>
      {children}
    </VSCodeCheckbox>
  );
}

export function Badge({ children, label }: { children: ReactNode; label?: string }) {
  return <VSCodeBadge aria-label={label}>{children}</VSCodeBadge>;
}
