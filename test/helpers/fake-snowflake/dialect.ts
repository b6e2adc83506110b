// The few Snowflake-only constructs Flowbench sends, turned into DuckDB so the fake can run them for real:
// INFORMATION_SCHEMA.TABLES.LAST_ALTERED comes from the fake's own clock of table writes, Time Travel
// clauses are dropped (the fake keeps no history; tests assert the clause was sent), and
// DATE_PART(EPOCH_MILLISECOND, …) becomes epoch_ms(…).

/** `DB.SCHEMA.TABLE` (upper case) → when it was last written. */
export type TableClock = Map<string, Date>;

export interface Rewritten {
  sql: string;
  /** Tables the statement (re)creates, upper case. */
  writes: string[];
}

const CREATE = /CREATE\s+OR\s+REPLACE\s+(?:TRANSIENT\s+)?TABLE\s+"([^"]+)"\."([^"]+)"\."([^"]+)"/gi;

export function rewriteForDuckDb(sql: string, clock: TableClock): Rewritten {
  const writes = [...sql.matchAll(CREATE)].map((m) => `${m[1]}.${m[2]}.${m[3]}`.toUpperCase());
  let out = sql.replace(/\bAT\s*\(\s*TIMESTAMP\s*=>\s*'[^']*'(?:::\w+)?\s*\)/gi, '');
  out = out.replace(/DATE_PART\s*\(\s*EPOCH_MILLISECOND\s*,\s*([^)]+)\)/gi, 'epoch_ms($1)');
  out = out.replace(/(?:"[^"]+"|\w+)\.INFORMATION_SCHEMA\.TABLES\b/gi, () => tablesRelation(clock));
  return { sql: out, writes };
}

function tablesRelation(clock: TableClock): string {
  const rows = [...clock].map(([name, at]) => {
    const [db, schema, table] = name.split('.');
    return `('${db}', '${schema}', '${table}', TIMESTAMP '${at.toISOString().replace('T', ' ').replace('Z', '')}')`;
  });
  const values = rows.length ? rows.join(', ') : "(NULL, NULL, NULL, NULL::TIMESTAMP)";
  return `(SELECT * FROM (VALUES ${values}) t(TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, LAST_ALTERED) WHERE TABLE_NAME IS NOT NULL)`;
}
