/** Writes the example project into `out` (replacing it); see example-project.mjs. */
export function buildExampleProject(out: string, production: boolean): Promise<void>;
