// The ceiling for the hot-read benchmark: a bare Hono app on @hono/node-server,
// the same runtime Supaplane uses, answering GET with exactly the bytes Supaplane
// answered (read from BARE_BODY_FILE), encoded once at start-up. No middleware,
// no auth, no logging, no serialization per request: what a Hono service on
// this machine can reach at all.
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const body = new Uint8Array(readFileSync(process.env.BARE_BODY_FILE!));
const app = new Hono();
app.get('*', (c) => c.body(body, 200, { 'Content-Type': 'application/json' }));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
