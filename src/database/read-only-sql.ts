import { parse } from 'libpg-query';
import { AppError, invalid } from '../errors.js';

/**
 * Studio reads every table through `POST /platform/pg-meta/{ref}/query`, and
 * postgres-meta runs the body as one simple-protocol query as the stack's superuser
 * (postgres-meta src/lib/db.ts: `pool.query(sql)`, the last result with rows is
 * returned). For a read-only member the SQL is wrapped as
 *
 *   begin read only; set local role supabase_read_only_user; <sql>; rollback;
 *
 * which holds only if nothing inside can end the transaction or change the role:
 * `COMMIT; insert …` would run the insert outside it, `SET ROLE`/`RESET ROLE` or
 * `set_config('role', …)` would be allowed back to the superuser (role changes are
 * checked against the session user). So the SQL is parsed with Postgres' own grammar
 * (libpg-query, the parser postgres-meta itself uses) and accepted only when every
 * statement is a query that cannot do either: SELECT / VALUES / TABLE (no INTO),
 * EXPLAIN of one, and SHOW; and no call anywhere in the tree to a function that
 * changes settings. Writes that hide inside (data-modifying CTEs, volatile
 * functions) are then refused by Postgres itself, and superuser-only functions by
 * the role (`supabase_read_only_user`: `login bypassrls`, `pg_read_all_data`, in
 * supabase/postgres' initial schema).
 */

/**
 * Functions with effects a read-only transaction does not stop: `set_config('role', …)`
 * would undo the role, `pg_notify` reaches other sessions (PostgREST reloads on it).
 */
const FORBIDDEN_FUNCTIONS = new Set(['set_config', 'pg_notify']);

export const READ_ONLY_ROLE = 'supabase_read_only_user';

const notReadOnly = (what: string) =>
  new AppError(
    'forbidden',
    `Read-only members can only run queries that read (SELECT, EXPLAIN, SHOW); this SQL ${what}`,
  );

type Node = Record<string, unknown>;

/** The statement kinds a read needs; everything else (DML, DDL, SET, COMMIT, COPY, DO…) is refused. */
function checkStatement(stmt: Node): void {
  const [kind, body] = Object.entries(stmt)[0] ?? [];
  if (kind === 'VariableShowStmt') return;
  if (kind === 'SelectStmt') {
    if ((body as Node).intoClause) throw notReadOnly('creates a table (SELECT INTO)');
    return;
  }
  if (kind === 'ExplainStmt') {
    const inner = (body as { query?: Node }).query ?? {};
    if (!('SelectStmt' in inner)) throw notReadOnly('explains a statement that is not a query');
    return checkStatement(inner);
  }
  throw notReadOnly(`contains ${kind ?? 'an unknown statement'}`);
}

/** Any call, at any depth (subqueries, CTEs, defaults), to a forbidden function. */
function checkCalls(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(checkCalls);
  if (!node || typeof node !== 'object') return;
  const call = (node as Node).FuncCall as
    { funcname?: { String?: { sval?: string } }[] } | undefined;
  if (call) {
    const name = call.funcname?.at(-1)?.String?.sval?.toLowerCase();
    if (name && FORBIDDEN_FUNCTIONS.has(name)) throw notReadOnly(`calls ${name}()`);
  }
  for (const value of Object.values(node)) checkCalls(value);
}

/**
 * The SQL a read-only member's query is sent as; throws 403 naming what is not a
 * read, 400 when it does not parse (as Postgres would say).
 */
export async function readOnlyQuery(sql: string): Promise<string> {
  let tree: { stmts?: { stmt: Node }[] };
  try {
    tree = (await parse(sql)) as typeof tree;
  } catch (err) {
    throw invalid(`Invalid SQL: ${(err as Error).message}`);
  }
  const statements = tree.stmts ?? [];
  if (statements.length === 0) throw invalid('Invalid SQL: no statement');
  for (const { stmt } of statements) checkStatement(stmt);
  checkCalls(tree);
  // Newlines keep a trailing `-- comment` from swallowing the rollback.
  return `begin read only;\nset local role ${READ_ONLY_ROLE};\n${sql}\n;\nrollback;`;
}
