import { invalid } from '../errors.js';
import type { SettingField, SettingValue } from './env-mapping.js';

/**
 * One setting's value from a request, checked for its kind. Values become literal
 * (single-quoted) lines of the stack's Coolify .env, so none may hold a quote or a
 * line break. Errors name the field as the caller spelled it, never the value.
 */
export function parseSettingValue(field: SettingField, name: string, raw: unknown): SettingValue {
  const fail = (why: string) => invalid(`${name}: ${why}`, { field: name });
  if (raw === null || raw === '') {
    if (field.kind === 'bool') throw fail('must be true or false');
    if (field.kind === 'schema_list' || field.kind === 'url_list') return '';
    return null;
  }
  switch (field.kind) {
    case 'bool':
      if (typeof raw !== 'boolean') throw fail('must be true or false');
      return raw;
    case 'int':
    case 'port': {
      const n = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
      const [min, max] = field.kind === 'port' ? [1, 65_535] : [field.min ?? 0, field.max];
      if (
        typeof n !== 'number' ||
        !Number.isSafeInteger(n) ||
        n < min ||
        (max !== undefined && n > max)
      ) {
        throw fail(`must be an integer from ${min}${max !== undefined ? ` to ${max}` : ''}`);
      }
      return n;
    }
    default:
      break;
  }
  if (typeof raw !== 'string') throw fail('must be a string');
  if (raw.length > 2048) throw fail('must be at most 2048 characters');
  if (/['\r\n\0]/.test(raw) || raw !== raw.trim()) {
    throw fail('cannot contain quotes or line breaks, nor start or end with spaces');
  }
  switch (field.kind) {
    case 'url':
      if (!isHttpUrl(raw)) throw fail('must be an http(s) URL');
      return raw;
    case 'url_list': {
      // GoTrue matches these as globs (configuration.go URIAllowList), so * and ** are fine.
      const items = raw.split(',').map((s) => s.trim());
      if (items.some((s) => !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(s))) {
        throw fail('must be a comma-separated list of URLs');
      }
      return items.join(',');
    }
    case 'email':
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw)) throw fail('must be an email address');
      return raw;
    case 'host':
      if (!/^[A-Za-z0-9.-]+$/.test(raw)) throw fail('must be a host name');
      return raw;
    case 'schema_list': {
      const items = raw.split(',').map((s) => s.trim());
      if (items.some((s) => !/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(s))) {
        throw fail('must be a comma-separated list of schema names');
      }
      return items.join(',');
    }
    default:
      return raw;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}
