import type { BuildOptions, BuildResult } from 'esbuild';
export declare const PANELS: Record<string, string>;
export declare function webviewBuildOptions(options: { entryPoints: Record<string, string>; outdir: string; production?: boolean }): BuildOptions;
export declare function buildWebviews(options?: { outdir?: string; production?: boolean }): Promise<BuildResult>;
