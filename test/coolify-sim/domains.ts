// Domain handling of ServicesController::applyServiceUrls and the default-URL helpers
// (generateUrl/sslip). Conflicts compare exact normalized URLs, as checkIfDomainIsAlreadyUsedViaAPI.
import { isFilled } from './context.js';
import type { SimServer, SimService, SimState } from './types.js';

const URL_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#:]*)(:\d+)?([/?#].*)?$/s;
const FORBIDDEN = /[`$;&|<>()\\\r\n]/;

/** `http://<random>.<ip>.sslip.io`, or under the server's wildcard domain when set. */
export function generateUrl(server: SimServer, random: string): string {
  const m = server.wildcard_domain ? URL_RE.exec(server.wildcard_domain) : null;
  if (m) return `${m[1]}://${random}.${m[2]}${m[4] && m[4] !== '/' ? m[4] : ''}`;
  return `http://${random}.${server.ip.replace(/:/g, '-')}.sslip.io`;
}

export function withoutPort(url: string): string {
  const m = URL_RE.exec(url);
  return m ? `${m[1]}://${m[2]}${m[4] ?? ''}` : url;
}

export function domainList(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return value
    .replace(/^,/, '')
    .replace(/,$/, '')
    .trim()
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
}

/** Scheme and host are case-insensitive; path, query and fragment are kept as sent. */
export function normalizeUrl(url: string): string {
  const m = URL_RE.exec(url);
  return m ? `${m[1]!.toLowerCase()}://${m[2]!.toLowerCase()}${m[3] ?? ''}${m[4] ?? ''}` : url;
}

function urlErrors(urls: string[]): string[] {
  const errors: string[] = [];
  for (const url of urls) {
    const m = URL_RE.exec(url);
    if (FORBIDDEN.test(url) || !m) errors.push(`Invalid URL: ${url}`);
    else if (!['http', 'https'].includes(m[1]!.toLowerCase()))
      errors.push(
        `Invalid URL scheme: ${m[1]} for URL: ${url}. Only http and https are supported.`,
      );
    else if (!m[2]) errors.push(`Invalid URL: ${url}`);
  }
  return errors;
}

export interface Conflict {
  domain: string;
  resource_name: string;
  resource_uuid: string;
  resource_type: 'service';
  message: string;
}

export type UrlResult = { errors: string[] } | { conflicts: Conflict[]; warning: string } | null;

const stripSlash = (d: string) => (d.endsWith('/') ? d.slice(0, d.lastIndexOf('/')) : d);

function findConflicts(state: SimState, domains: string[], ownAppUuid: string): Conflict[] {
  const wanted = domains.map(stripSlash);
  const conflicts: Conflict[] = [];
  for (const svc of state.services.values()) {
    for (const app of svc.applications) {
      if (app.uuid === ownAppUuid || !app.fqdn) continue;
      for (const d of app.fqdn
        .split(',')
        .filter((x) => x !== '')
        .map(stripSlash)) {
        if (!wanted.includes(d)) continue;
        conflicts.push({
          domain: d,
          resource_name: svc.name,
          resource_uuid: app.uuid,
          resource_type: 'service',
          message: `Domain ${d} is already in use by service '${svc.name}'`,
        });
      }
    }
  }
  return conflicts;
}

/** Items are applied one by one, so on PATCH earlier items stay saved when a later one fails. */
export function applyServiceUrls(
  state: SimState,
  service: SimService,
  items: { name?: unknown; url?: unknown }[],
  force: boolean,
): UrlResult {
  const all = items.flatMap((item) => domainList(item.url));
  const errors = urlErrors(all);
  const normalized = all.map(normalizeUrl);
  const dups = [...new Set(normalized.filter((u, i) => normalized.indexOf(u) !== i))];
  if (dups.length > 0 && !force)
    errors.push(
      `The current request contains conflicting URLs across containers: ${dups.join(', ')}. Use force_domain_override=true to proceed.`,
    );
  if (errors.length > 0) return { errors };

  let conflicts: Conflict[] = [];
  service.urls = items.map((i) => ({ name: String(i.name ?? ''), url: (i.url as string) ?? null }));
  for (const item of items) {
    if (!isFilled(item.name)) {
      errors.push('Service container name is required to apply URLs.');
      continue;
    }
    const app = service.applications.find((a) => a.name === item.name);
    if (!app) {
      errors.push(`Service container with '${String(item.name)}' not found.`);
      continue;
    }
    if (!isFilled(item.url)) {
      app.fqdn = null;
      continue;
    }
    const urls = domainList(item.url).map(normalizeUrl);
    const found = findConflicts(state, urls, app.uuid);
    if (found.length > 0 && !force) {
      conflicts = conflicts.concat(found);
      continue;
    }
    app.fqdn = urls.join(',');
  }
  if (errors.length > 0) return { errors };
  if (conflicts.length > 0)
    return {
      conflicts,
      warning:
        'Using the same domain for multiple resources can cause routing conflicts and unpredictable behavior.',
    };
  return null;
}

/** Response `domains`: sorted non-null fqdn values of the sub-applications. */
export function serviceDomains(service: SimService): string[] {
  return service.applications
    .map((a) => a.fqdn)
    .filter((f): f is string => !!f)
    .sort();
}
