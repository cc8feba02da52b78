import { invalid } from '../errors.js';
import { FUNCTION_SECRET_PREFIX } from '../provisioner/template-v2.js';

/**
 * How a user's function secret reaches the stack, per template version, and
 * which names are refused. Coolify gives every container of a service the whole
 * service `.env` (parsers.php:2743-2751@379abb25), so a secret delivered under its
 * own name would reconfigure any container that reads that name (audit B2).
 *
 * - v2: delivered as `SUPAPLANE_FN_<name>`, a name no image reads; only the
 *   functions `main` service strips the prefix and hands it to user workers.
 * - v1: delivered under the user's name (v1's `main` passes its env through), so
 *   names other containers read are refused.
 */

/** The env row a secret named `name` is delivered as. */
export function deliveredName(templateVersion: string, name: string): string {
  return templateVersion === 'v1' ? name : `${FUNCTION_SECRET_PREFIX}${name}`;
}

// Coolify refuses keys over 255 characters (ValidationPatterns.php:159-174@379abb25).
const COOLIFY_KEY_MAX = 255;

/**
 * Names read by the images of template v1 (besides the ones its compose sets):
 * Kong, GoTrue, PostgREST, libpq, Node, Deno, storage-api, imgproxy, pg-meta,
 * Postgres' entrypoint, the dynamic loader, the C library.
 */
const V1_INFRASTRUCTURE = [
  /^(PORT|HOST|HOSTNAME|PATH|HOME|USER|SHELL|TZ|LANG|LC_.*|TMPDIR)$/,
  /^(PG.*|POSTGRES_.*|DATABASE_.*|DB_.*)$/,
  /^(KONG_.*|GOTRUE_.*|PGRST_.*|API_.*|STORAGE_.*|IMGPROXY_.*|PG_META_.*|SERVER_.*)$/,
  /^(NODE_.*|NPM_.*|DENO_.*|LD_.*|ERL_.*|RLIMIT_.*|MALLOC_.*|SSL_.*|OPENSSL_.*)$/,
  /^(HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|JWT_.*|SECRET_KEY_BASE|VERIFY_JWT)$/,
];

/** Throws a 400 naming the reason when `name` may not be a function secret. */
export function checkSecretName(templateVersion: string, name: string): void {
  const max = COOLIFY_KEY_MAX - (deliveredName(templateVersion, name).length - name.length);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.length > max) {
    throw invalid(
      `Secret name "${name.slice(0, 80)}" must be letters, digits and _ (not starting with a digit), at most ${max} characters`,
    );
  }
  if (/^SUPABASE_/i.test(name)) {
    throw invalid(
      `Secret name "${name}" must not start with SUPABASE_: functions get those values from the project itself`,
    );
  }
  // Edge Runtime sets it in every user worker (crates/base/src/runtime/mod.rs:1145@v1.74.0).
  if (name === 'SB_EXECUTION_ID') {
    throw invalid(`Secret name "${name}" is set by the Edge Functions runtime itself`);
  }
  if (/^(SERVICE_|COOLIFY_)/i.test(name)) {
    throw invalid(
      `Secret name "${name}" is reserved: Coolify generates SERVICE_* and COOLIFY_* values`,
    );
  }
  if (templateVersion !== 'v1') return;
  if (V1_INFRASTRUCTURE.some((re) => re.test(name))) {
    throw invalid(
      `Secret name "${name}" is refused on this project: its stack (template v1) gives function secrets to every container, where ${name} configures the platform's own services. Choose another name, or move the project to template v2, which delivers secrets to function code only.`,
    );
  }
}
