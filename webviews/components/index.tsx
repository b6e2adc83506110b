// Our own small components. This folder is the only place that imports @vscode/webview-ui-toolkit (archived
// upstream since January 2025): replacing it with @vscode-elements/elements means editing this folder only.
// Panels use these props, never the toolkit's.
//
// The toolkit (FAST web components, about 180 KB) loads on demand (`loadToolkit`): a panel asks for it once its
// first content is painted, so parsing it and defining its elements are not on the first-paint path. Until
// then each component renders a plain element of the same size and colours (components.css).
import { useSyncExternalStore, type ReactNode } from 'react';
import './components.css';

type Toolkit = typeof import('./toolkit');
let toolkit: Toolkit | undefined;
let loading: Promise<void> | undefined;
const listeners = new Set<() => void>();

/** Loads the toolkit (once); mounted components switch to its elements when it is in. */
export function loadToolkit(): Promise<void> {
  loading ??= import('./toolkit').then((module) => {
    toolkit = module;
    for (const listener of listeners) listener();
  });
  return loading;
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => void listeners.delete(listener);
};
const useToolkit = () => useSyncExternalStore(subscribe, () => toolkit);

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
  const tk = useToolkit();
  if (!tk) {
    return (
      <button type="button" className={`fb-button ${appearance}`} aria-label={label} title={title ?? label} disabled={disabled} onClick={() => onClick()}>
        {children}
      </button>
    );
  }
  return (
    <tk.VSCodeButton appearance={appearance} aria-label={label} title={title ?? label} disabled={disabled} onClick={() => onClick()}>
      {children}
    </tk.VSCodeButton>
  );
}

export function Checkbox({ checked, onChange, children }: { checked: boolean; onChange(checked: boolean): void; children: ReactNode }) {
  const tk = useToolkit();
  if (!tk) {
    return (
      <label className="fb-checkbox">
        <input type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} />
        {children}
      </label>
    );
  }
  return (
    <tk.VSCodeCheckbox checked={checked} onChange={(event: unknown) => onChange((event as { target: { checked: boolean } }).target.checked)}>
      {children}
    </tk.VSCodeCheckbox>
  );
}

export function Badge({ children, label }: { children: ReactNode; label?: string }) {
  const tk = useToolkit();
  if (!tk) {
    return (
      <span className="fb-badge" aria-label={label}>
        {children}
      </span>
    );
  }
  return <tk.VSCodeBadge aria-label={label}>{children}</tk.VSCodeBadge>;
}
