import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';

/**
 * The address a request comes from, for per-client limits (sign-in, sign-up, reset,
 * in-flight caps). It is the TCP peer, unless that peer is one of the operator's
 * reverse proxies (SUPAPLANE_TRUSTED_PROXIES): then X-Forwarded-For is read from the
 * right, skipping trusted hops, and the first untrusted hop is the client. Hops to
 * its left were written by the client and prove nothing. No socket (an in-process
 * request) is `unknown`.
 */
export function clientAddress(c: Context, trustedProxies: readonly string[]): string {
  const peer = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket
    ?.remoteAddress;
  if (!peer) return 'unknown';
  const trusted = blockListFor(trustedProxies);
  let client = plain(peer);
  if (!trusted || !isTrusted(trusted, client)) return client;
  const hops = (c.req.header('x-forwarded-for') ?? '').split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = plain(hops[i]!.trim());
    if (isIP(hop) === 0) break; // a malformed hop: the last good one is as far as trust goes
    client = hop;
    if (!isTrusted(trusted, hop)) break;
  }
  return client;
}

// Config is parsed once, so one BlockList per list of entries.
const lists = new WeakMap<readonly string[], BlockList | undefined>();

function blockListFor(entries: readonly string[]): BlockList | undefined {
  if (lists.has(entries)) return lists.get(entries);
  let list: BlockList | undefined;
  if (entries.length > 0) {
    list = new BlockList();
    for (const entry of entries) {
      const [ip = '', bits] = entry.split('/');
      const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) list.addAddress(ip, type);
      else list.addSubnet(ip, Number(bits), type);
    }
  }
  lists.set(entries, list);
  return list;
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) → `10.0.0.1`. */
const plain = (ip: string) => ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

function isTrusted(list: BlockList, ip: string): boolean {
  const family = isIP(ip);
  return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}
