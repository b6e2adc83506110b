// Exports produce bytes or text; the webview cannot write files, so the host saves them (`onExport`).
// PNG: the chart's own canvas (uPlot) or ECharts' getDataURL, over the theme's background.
// SVG: uPlot draws only on canvas, so its SVG is rebuilt here from what the chart shows, projected with
// uPlot's own valToPos (same scales, log included): a real vector file rather than a PNG wrapped in SVG.
// ECharts renders its SVG itself (SVG renderer in SSR mode) from the same option the chart was drawn with.
import type uPlot from 'uplot';
import type { ChartTheme } from './theme';

export { toCsv } from './csv';

export type ExportData = Uint8Array | string;
/** `data` is bytes for PNG and text for SVG and CSV. */
export type ExportHandler = (name: string, mime: string, data: ExportData) => void;

/** A file name for an export of the chart titled `title`. */
export const fileName = (title: string, ext: string) => `${title.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'chart'}.${ext}`;

export function dataUrlBytes(url: string): Uint8Array {
  const base64 = url.slice(url.indexOf(',') + 1);
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

export async function canvasPng(canvas: HTMLCanvasElement): Promise<Uint8Array> {
  const blob = await new Promise<Blob | null>((done) => canvas.toBlob(done, 'image/png'));
  if (!blob) throw new Error('the chart could not be encoded as PNG');
  return new Uint8Array(await blob.arrayBuffer());
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The uPlot canvas over the theme background, with the title above it. */
export async function uplotPng(u: uPlot, theme: ChartTheme, title: string): Promise<Uint8Array> {
  const src = u.ctx.canvas;
  const ratio = src.width / Math.max(1, u.width);
  const head = Math.round(24 * ratio);
  const canvas = document.createElement('canvas');
  canvas.width = src.width;
  canvas.height = src.height + head;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = theme.foreground;
  ctx.font = `${Math.round(13 * ratio)}px sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, 8 * ratio, head / 2);
  ctx.drawImage(src, 0, head);
  return canvasPng(canvas);
}

/** Tick positions a reader can use: 1-2-5 steps on linear scales, powers of ten on log scales. */
function ticks(min: number, max: number, log: boolean, count = 6): number[] {
  if (!(max > min)) return [min];
  if (log) {
    const out: number[] = [];
    for (let e = Math.ceil(Math.log10(min)); e <= Math.floor(Math.log10(max)); e++) out.push(10 ** e);
    return out.length ? out : [min, max];
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const fmt = (v: number) => (Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(4))));

/** The chart as vector SVG: axes with ticks, bands (between two series), every visible series
 *  (as dots when `points`, else lines), the legend. */
export function uplotSvg(u: uPlot, theme: ChartTheme, title: string, opts: { bands?: readonly { upper: number; lower: number; fill: string }[]; points?: boolean } = {}): string {
  const { left, top, width, height } = u.bbox;
  const ratio = window.devicePixelRatio || 1;
  const [pl, pt, pw, ph] = [left / ratio, top / ratio, width / ratio, height / ratio];
  const legendRows = u.series.length - 1;
  const W = u.width;
  const H = u.height + 24 + Math.min(legendRows, 50) * 16;
  const x = (v: number) => u.valToPos(v, 'x');
  const y = (v: number, scale: string) => u.valToPos(v, scale);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="${theme.background}"/>`);
  parts.push(`<text x="8" y="16" font-size="13" fill="${theme.foreground}">${esc(title)}</text>`);
  parts.push(`<g transform="translate(0,24)">`);
  const xs = u.scales.x;
  const yKey = u.series[1]?.scale ?? 'y';
  const ys = u.scales[yKey];
  const yLog = ys.distr === 3;
  if (xs.min !== undefined && xs.max !== undefined && xs.min !== null && xs.max !== null) {
    for (const t of ticks(xs.min, xs.max, false)) {
      const px = pl + x(t);
      parts.push(`<line x1="${px}" y1="${pt}" x2="${px}" y2="${pt + ph}" stroke="${theme.grid}" stroke-width="0.5"/>`);
      parts.push(`<text x="${px}" y="${pt + ph + 14}" text-anchor="middle" fill="${theme.foreground}">${esc(xs.time ? new Date(t * 1000).toISOString().slice(11, 19) : fmt(t))}</text>`);
    }
  }
  if (ys && ys.min !== undefined && ys.max !== undefined && ys.min !== null && ys.max !== null) {
    for (const t of ticks(ys.min, ys.max, yLog)) {
      const py = pt + y(t, yKey);
      parts.push(`<line x1="${pl}" y1="${py}" x2="${pl + pw}" y2="${py}" stroke="${theme.grid}" stroke-width="0.5"/>`);
      parts.push(`<text x="${pl - 4}" y="${py + 4}" text-anchor="end" fill="${theme.foreground}">${esc(fmt(t))}</text>`);
    }
  }
  parts.push(`<rect x="${pl}" y="${pt}" width="${pw}" height="${ph}" fill="none" stroke="${theme.grid}"/>`);
  parts.push(`<clipPath id="plot"><rect x="${pl}" y="${pt}" width="${pw}" height="${ph}"/></clipPath><g clip-path="url(#plot)">`);
  const xd = u.data[0] as number[];
  const pointsOf = (si: number) => {
    const yd = u.data[si] as (number | null | undefined)[];
    const scale = u.series[si].scale ?? 'y';
    const out: [number, number][] = [];
    for (let i = 0; i < xd.length; i++) {
      const v = yd[i];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      out.push([pl + x(xd[i]), pt + y(v, scale)]);
    }
    return out;
  };
  const path = (pts: [number, number][]) => pts.map(([a, b], i) => `${i ? 'L' : 'M'}${a.toFixed(1)},${b.toFixed(1)}`).join('');
  for (const { upper: hi, lower: lo, fill } of opts.bands ?? []) {
    const upper = pointsOf(hi);
    const lower = pointsOf(lo).reverse();
    if (upper.length) parts.push(`<path d="${path(upper.concat(lower))}Z" fill="${fill}" stroke="none"/>`);
  }
  for (let si = 1; si < u.series.length; si++) {
    const s = u.series[si];
    if (s.show === false) continue;
    const stroke = typeof s.stroke === 'function' ? (s.stroke as (u: uPlot, i: number) => string)(u, si) : (s.stroke as string | undefined);
    if (!stroke || (s.width ?? 1) === 0) continue;
    const pts = pointsOf(si);
    if (pts.length === 1) parts.push(`<circle cx="${pts[0][0]}" cy="${pts[0][1]}" r="2" fill="${stroke}"/>`);
    else if (opts.points) parts.push(pts.map(([a, b]) => `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="2.5" fill="${stroke}"/>`).join(''));
    else if (pts.length) parts.push(`<path d="${path(pts)}" fill="none" stroke="${stroke}" stroke-width="${s.width ?? 1}"/>`);
  }
  parts.push('</g>');
  for (let si = 1; si < Math.min(u.series.length, 51); si++) {
    const s = u.series[si];
    const stroke = typeof s.stroke === 'function' ? (s.stroke as (u: uPlot, i: number) => string)(u, si) : (s.stroke as string | undefined);
    const ly = u.height + (si - 1) * 16 + 8;
    parts.push(`<rect x="8" y="${ly - 8}" width="10" height="10" fill="${stroke ?? theme.muted}"/><text x="24" y="${ly + 1}" fill="${theme.foreground}">${esc(String(s.label ?? ''))}</text>`);
  }
  parts.push('</g></svg>');
  return parts.join('');
}
