// Chart colours come only from VS Code's theme variables. Canvas libraries need concrete colours, so they are
// resolved through the DOM (a CSS variable may hold a name, hex or rgb()) and re-read when VS Code switches
// theme: it changes the body's class (vscode-light / vscode-dark / vscode-high-contrast) and the variables on
// the root element.
import { useEffect, useState } from 'react';

export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  /** Series colours in order; charts cycle through them (there is no cap on series). */
  palette: string[];
  /** The palette with low alpha, for bands. */
  fills: string[];
  font: string;
}

const PALETTE = ['blue', 'orange', 'green', 'red', 'purple', 'yellow'];

function resolve(probe: HTMLElement, variable: string, fallbackVariable: string): string {
  probe.style.color = `var(${variable}, var(${fallbackVariable}))`;
  return getComputedStyle(probe).color;
}

function withAlpha(rgb: string, alpha: number): string {
  const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(rgb);
  return m ? `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${alpha})` : rgb;
}

export function readChartTheme(): ChartTheme {
  const probe = document.createElement('span');
  probe.hidden = true;
  document.body.appendChild(probe);
  try {
    const foreground = resolve(probe, '--vscode-charts-foreground', '--vscode-foreground');
    const palette = PALETTE.map((name) => resolve(probe, `--vscode-charts-${name}`, '--vscode-foreground'));
    const style = getComputedStyle(document.body);
    return {
      foreground,
      muted: resolve(probe, '--vscode-descriptionForeground', '--vscode-foreground'),
      grid: resolve(probe, '--vscode-charts-lines', '--vscode-panel-border'),
      background: resolve(probe, '--vscode-editor-background', '--vscode-editor-background'),
      palette,
      fills: palette.map((c) => withAlpha(c, 0.2)),
      font: `${style.getPropertyValue('--vscode-font-size').trim() || '12px'} ${style.getPropertyValue('--vscode-font-family').trim() || 'sans-serif'}`,
    };
  } finally {
    probe.remove();
  }
}

/** The current chart theme, re-read whenever VS Code changes theme. */
export function useChartTheme(): ChartTheme {
  const [theme, setTheme] = useState(readChartTheme);
  useEffect(() => {
    const observer = new MutationObserver(() => setTheme(readChartTheme()));
    observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    return () => observer.disconnect();
  }, []);
  return theme;
}

export const colorAt = (theme: ChartTheme, i: number) => theme.palette[i % theme.palette.length];
export const fillAt = (theme: ChartTheme, i: number) => theme.fills[i % theme.fills.length];
