import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { AppError, invalid, notFound } from '../errors.js';
import type { Access } from '../members/access.js';
import { resolveGateway, type ProjectGateway } from '../gateway/gateway.js';
import { gatewayUrl } from '../gateway/gateway-path.js';
import { splitSqlStatements, sqlLiteral, sqlTextArray } from './sql-statements.js';

/**
 * SQL, migrations and type generation through the project's own postgres-meta
 * (`<gateway>/pg/…`, service role only). pg-meta connects as the stack's
 * superuser, so every route needs write access except listing migrations and
 * generating types.
 */

const APPLICATION_NAME = 'supaplane/management-api';
const TIMEOUT_MS = 60_000;

interface PgMetaReply {
  status: number;
  body: unknown;
  text: string;
}

/** One call to the project's pg-meta. Unreachable or failing gateways are 503s naming the project. */
export async function callPgMeta(
  gw: ProjectGateway,
  req: { method: 'GET' | 'POST'; path: string; json?: unknown; timeoutMs?: number },
): Promise<PgMetaReply> {
  let res: Response;
  try {
    res = await fetch(gatewayUrl(gw.baseUrl, `/pg${req.path}`, '/pg/'), {
      method: req.method,
      headers: {
        accept: 'application/json',
        apikey: gw.serviceKey,
        authorization: `Bearer ${gw.serviceKey}`,
        'x-pg-application-name': APPLICATION_NAME,
        ...(req.json !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: req.json !== undefined ? JSON.stringify(req.json) : undefined,
      signal: AbortSignal.timeout(req.timeoutMs ?? TIMEOUT_MS),
      redirect: 'manual',
    });
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    throw new AppError(
      'upstream_unavailable',
      timedOut
        ? `${gw.label} did not answer within ${(req.timeoutMs ?? TIMEOUT_MS) / 1000} s`
        : `${gw.label}'s gateway could not be reached; it may be restarting, try again shortly`,
    );
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (type generation answers text)
  }
  // pg-meta's own failures carry `error`; anything else at this status is the gateway's.
  const fromPgMeta = typeof (body as { error?: unknown } | undefined)?.error === 'string';
  if (res.status >= 500 || (res.status >= 400 && !fromPgMeta)) {
    const said = (body as { message?: unknown } | undefined)?.message;
    throw new AppError(
      'upstream_unavailable',
      `${gw.label}'s database API answered ${res.status}${typeof said === 'string' ? ` (${said.slice(0, 200)})` : ''}`,
    );
  }
  return { status: res.status, body, text };
}

/** Runs SQL; a database error is a 400 with Postgres' message, as on Supabase. */
async function runSql(
  gw: ProjectGateway,
  query: string,
  parameters?: unknown[],
): Promise<unknown[]> {
  const reply = await callPgMeta(gw, {
    method: 'POST',
    path: '/query',
    json: parameters?.length ? { query, parameters } : { query },
  });
  if (reply.status >= 400) throw sqlError(reply.body);
  return Array.isArray(reply.body) ? reply.body : [];
}

function sqlError(body: unknown): AppError {
  const e = (body ?? {}) as {
    formattedError?: unknown;
    message?: unknown;
    error?: unknown;
    code?: unknown;
  };
  const text = [e.formattedError, e.message, e.error].find((v) => typeof v === 'string') as string;
  return new AppError('validation', `Failed to run sql query: ${text ?? 'unknown error'}`, {
    ...(typeof e.code === 'string' ? { sqlstate: e.code } : {}),
  });
}

/**
 * The project's gateway. A project that is not serving (paused, starting…) is a 412
 * here: the request is fine, the project's state is not (the proxies answer 503).
 */
async function gateway(
  deps: Pick<Deps, 'db' | 'config' | 'keyring'>,
  actor: Principal,
  ref: string,
  access: Access,
): Promise<ProjectGateway> {
  try {
    return await resolveGateway(deps, { principal: actor, ref, access });
  } catch (err) {
    if (err instanceof AppError && err.code === 'upstream_unavailable' && err.details?.status) {
      throw new AppError('precondition', err.message, err.details);
    }
    throw err;
  }
}

export interface QueryInput {
  ref: string;
  query: string;
  parameters?: unknown[];
  readOnly?: boolean;
}

/** POST /v1/projects/{ref}/database/query: the rows of the last statement that returned any. */
export async function runQuery(
  deps: Pick<Deps, 'db' | 'config' | 'keyring'>,
  { actor, input }: { actor: Principal; input: QueryInput },
): Promise<unknown[]> {
  if (input.readOnly) return runReadOnlyQuery(deps, { actor, input });
  const gw = await gateway(deps, actor, input.ref, 'write');
  return runSql(gw, input.query, input.parameters);
}

const TRANSACTION_CONTROL =
  /^(begin|start|commit|end|rollback|abort|savepoint|release|prepare|set|reset|discard|copy|call|do|checkpoint|vacuum|listen|notify|lock)\b/i;

/**
 * POST …/database/query/read-only: one statement in a read-only transaction as
 * `supabase_read_only_user`. A guard against accidents, not a security boundary
 * (pg-meta logs in as a superuser), hence write access like the query route.
 */
export async function runReadOnlyQuery(
  deps: Pick<Deps, 'db' | 'config' | 'keyring'>,
  { actor, input }: { actor: Principal; input: QueryInput },
): Promise<unknown[]> {
  const statements = splitSqlStatements(input.query);
  if (statements.length !== 1) throw invalid('A read-only query must be exactly one SQL statement');
  const statement = statements[0]!.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, '');
  if (TRANSACTION_CONTROL.test(statement)) {
    throw invalid('A read-only query cannot control transactions, settings or run COPY/CALL/DO');
  }
  if (input.parameters?.length) {
    throw invalid('Read-only queries do not take parameters here; inline the values');
  }
  const gw = await gateway(deps, actor, input.ref, 'write');
  return runSql(
    gw,
    `begin read only;\nset local role supabase_read_only_user;\n${statements[0]}\n;\ncommit;`,
  );
}

// ---------------------------------------------------------------------------
// Migrations, recorded like the Supabase CLI does (plus the columns Supabase's
// API adds), so `supabase migration list` sees them.

const HISTORY = 'supabase_migrations.schema_migrations';
const HISTORY_DDL = [
  'create schema if not exists supabase_migrations',
  `create table if not exists ${HISTORY} (version text not null primary key)`,
  `alter table ${HISTORY} add column if not exists statements text[]`,
  `alter table ${HISTORY} add column if not exists name text`,
  `alter table ${HISTORY} add column if not exists created_by text`,
  `alter table ${HISTORY} add column if not exists idempotency_key text unique`,
  `alter table ${HISTORY} add column if not exists rollback text[]`,
].join(';\n');

async function historyExists(gw: ProjectGateway): Promise<boolean> {
  const rows = await runSql(gw, `select to_regclass('${HISTORY}') is not null as present`);
  return (rows[0] as { present?: boolean } | undefined)?.present === true;
}

export async function listMigrations(
  deps: Pick<Deps, 'db' | 'config' | 'keyring'>,
  { actor, input }: { actor: Principal; input: { ref: string } },
): Promise<{ version: string; name?: string }[]> {
  const gw = await gateway(deps, actor, input.ref, 'read');
  if (!(await historyExists(gw))) return [];
  const rows = (await runSql(gw, `select version, name from ${HISTORY} order by version`)) as {
    version: string;
    name: string | null;
  }[];
  return rows.map((r) => ({ version: r.version, ...(r.name ? { name: r.name } : {}) }));
}

export interface MigrationView {
  version: string;
  name?: string;
  statements?: string[];
  rollback?: string[];
  created_by?: string;
  idempotency_key?: string;
}

export async function getMigration(
  deps: Pick<Deps, 'db' | 'config' | 'keyring'>,
  { actor, input }: { actor: Principal; input: { ref: string; version: string } },
): Promise<MigrationView> {
  const gw = await gateway(deps, actor, input.ref, 'read');
  const rows = (await historyExists(gw))
    ? ((await runSql(
        gw,
        `select version, name, statements, rollback, created_by, idempotency_key from ${HISTORY} where version = $1`,
        [input.version],
      )) as Record<string, unknown>[])
    : [];
  const row = rows[0];
  if (!row) throw notFound(`Migration ${input.version}`);
  return Object.fromEntries(
    Object.entries(row).filter(([, v]) => v !== null && v !== undefined),
  ) as unknown as MigrationView;
}

/** A new migration's version: the UTC time, `YYYYMMDDHHMMSS`, as `supabase migration new` names files. */
export const migrationVersion = (now = new Date()) =>
  now.toISOString().replace(/\D/g, '').slice(0, 14);

export interface ApplyMigrationInput {
  ref: string;
  query: string;
  name?: string;
  rollback?: string;
  idempotencyKey?: string;
}

/**
 * Runs a migration and records it in one transaction. With an Idempotency-Key a
 * repeated request is a no-op that reports the version recorded the first time.
 */
export async function applyMigration(
  deps: Pick<Deps, 'db' | 'config' | 'keyring'>,
  { actor, input }: { actor: Principal; input: ApplyMigrationInput },
): Promise<{ version: string; applied: boolean }> {
  const gw = await gateway(deps, actor, input.ref, 'write');
  const key = input.idempotencyKey?.slice(0, 256);
  if (key && (await historyExists(gw))) {
    const version = await recordedVersion(gw, key);
    if (version) return { version, applied: false };
  }
  // Versions must grow: a second migration within the same second gets the next number.
  const record = `insert into ${HISTORY} (version, name, statements, created_by, idempotency_key, rollback)
select greatest(${sqlLiteral(migrationVersion())}::numeric, coalesce(max(version::numeric) + 1, 0))::text, ${[
    sqlLiteral(input.name ?? null),
    sqlTextArray(splitSqlStatements(input.query)),
    sqlLiteral(actor.email || actor.userId),
    sqlLiteral(key ?? null),
    input.rollback ? sqlTextArray(splitSqlStatements(input.rollback)) : 'null::text[]',
  ].join(', ')}
from ${HISTORY} where version ~ '^[0-9]{1,30}$'
returning version`;
  let version: string | undefined;
  try {
    const rows = await runSql(
      gw,
      `${HISTORY_DDL};\nbegin;\n${input.query}\n;\n${record};\ncommit;`,
    );
    version = (rows[0] as { version?: string } | undefined)?.version;
  } catch (err) {
    // The same key applied concurrently: the other request recorded (and ran) it.
    if (
      key &&
      err instanceof AppError &&
      err.details?.sqlstate === '23505' &&
      /idempotency_key/.test(err.message)
    ) {
      return { version: (await recordedVersion(gw, key)) ?? '', applied: false };
    }
    throw err;
  }
  return { version: version ?? '', applied: true };
}

/** The version a migration with this Idempotency-Key was recorded under, if any. */
async function recordedVersion(gw: ProjectGateway, key: string): Promise<string | undefined> {
  const seen = await runSql(gw, `select version from ${HISTORY} where idempotency_key = $1`, [key]);
  return (seen[0] as { version?: string } | undefined)?.version;
}

/** GET …/types/typescript: pg-meta's generator for the given schemas. */
export async function generateTypescriptTypes(
  deps: Pick<Deps, 'db' | 'config' | 'keyring'>,
  { actor, input }: { actor: Principal; input: { ref: string; includedSchemas: string } },
): Promise<{ types: string }> {
  const gw = await gateway(deps, actor, input.ref, 'read');
  const schemas = input.includedSchemas
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (schemas.length === 0) throw invalid('included_schemas must name at least one schema');
  const query = new URLSearchParams({
    included_schemas: schemas.join(','),
    detect_one_to_one_relationships: 'true',
  });
  const reply = await callPgMeta(gw, {
    method: 'GET',
    path: `/generators/typescript?${query}`,
    timeoutMs: 120_000,
  });
  if (reply.status >= 400) throw sqlError(reply.body);
  return { types: typeof reply.body === 'string' ? reply.body : reply.text };
}
