// Quoting for SQL we generate. Every name a user chose (steps, sources, paths) goes through here,
// so a step called `order` or a path with a quote in it can never change the statement's meaning.

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * How `{{ params.x }}` appears in SQL: a literal of the value's own type, so `WHERE name = {{ params.airport }}`
 * compares with a string and `LIMIT {{ params.rows }}` gets a number, without users adding quotes themselves.
 */
export function paramLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${value} has no SQL literal`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'string') return quoteLiteral(value);
  if (Array.isArray(value)) return `[${value.map(paramLiteral).join(', ')}]`;
  return quoteLiteral(JSON.stringify(value));
}

/**
 * A step's query limited to its first rows, for a preview. The query goes on lines of its own, so a trailing
 * `-- comment` cannot swallow the closing parenthesis; a trailing `;` would end the statement early, so it goes.
 */
export function previewQuery(sql: string, limit: number): { prefix: string; text: string } {
  const prefix = 'SELECT * FROM (\n';
  return { prefix, text: `${prefix}${sql.replace(/[\s;]+$/, '')}\n) AS flowbench_preview LIMIT ${Math.max(0, Math.floor(limit))}` };
}
