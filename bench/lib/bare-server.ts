// The baseline for the hot-read benchmark: a bare Hono app on the same runtime
// that answers GET with a fixed JSON body of the size Supaplane's answer has.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const body = JSON.parse(process.env.BARE_BODY ?? '{}') as unknown;
const app = new Hono();
app.get('*', (c) => c.json(body));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
