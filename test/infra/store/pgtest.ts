/** A throwaway database on the machine's PostgreSQL per test file, so concurrent runs never meet. */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { SERVICES } from '../../support/services.ts';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates `solrules_t_<random>` on the test server; `drop()` removes it (forcing out connections). */
export async function createTestDatabase(label = 'store'): Promise<TestDatabase> {
  const admin = SERVICES.postgres.url;
  const name = `solrules_t_${label}_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      try {
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await d.end();
      }
    },
  };
}
