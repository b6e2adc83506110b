// The fake Snowflake the warehouse tests share: user `ana` with a password, a source table ML.RAW.FLIGHTS
// (id, carrier, delay) last changed at a fixed time, and the environment that points snowflake-sdk at it.
import { startFakeSnowflake, type FakeSnowflake } from './server';

export const FLIGHTS_CHANGED_AT = new Date('2026-11-30T08:00:00Z');

export async function startFlightsSnowflake(rows: number, password: string): Promise<FakeSnowflake> {
  const fake = await startFakeSnowflake({ firstRows: 50, chunkRows: 100 });
  fake.addUser('ana', { password });
  await fake.exec(`CREATE TABLE "ML"."RAW"."FLIGHTS" AS SELECT range AS id, range % 7 AS carrier, range * 1.5 AS delay FROM range(${rows})`);
  fake.touch('ML.RAW.FLIGHTS', FLIGHTS_CHANGED_AT);
  return fake;
}

/** What the CLI (or the in-process runner) needs in its environment to reach `fake` as `ana`. */
export function snowflakeEnvironment(fake: FakeSnowflake, password: string, home: string): Record<string, string> {
  return { SNOWFLAKE_HOST: fake.host, SNOWFLAKE_PORT: String(fake.port), SNOWFLAKE_PROTOCOL: 'http', SNOWFLAKE_PASSWORD: password, SNOWFLAKE_HOME: home };
}
