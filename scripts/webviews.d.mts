import type { BuildOptions, Metafile } from 'esbuild';
export declare const PANELS: Record<string, string>;
export declare function webviewBuildOptions(options: { entryPoints: Record<string, string>; outdir: string; production?: boolean }): BuildOptions;
export declare function staticChunks(metafile: Metafile, outdir: string, entry: string): string[];
export declare function buildWebviews(options?: { outdir?: string; production?: boolean }): Promise<void>;
