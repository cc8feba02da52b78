/* global Deno, Worker, URL, Response */
// Stand-in for the Edge Runtime globals the Supaplane main service uses, for the real
// `deno` from npm, which has no `EdgeRuntime`. The smallest that runs user code:
// - Deno.serve binds the port the test chose (Edge Runtime binds its own);
// - EdgeRuntime.userWorkers.create starts a Deno Web Worker per servicePath that imports
//   `maybeEntrypoint` with Deno.env holding exactly `envVars`, as an Edge Runtime user
//   worker's env is exactly the envVars it is given (ext/workers/user_workers.js:131-142
//   @v1.74.0 of supabase/edge-runtime), and answers requests with the handler the code
//   gave Deno.serve. Memory and CPU limits, import maps and static patterns are not
//   modelled; each create() is logged to STAND_IN_LOG (one JSON line) for the test.
const port = Number(Deno.env.get('STAND_IN_PORT'));
const log = Deno.env.get('STAND_IN_LOG');
const serve = Deno.serve;
Deno.serve = (h) => serve({ port, hostname: '127.0.0.1', onListen() {} }, h);

const workers = new Map();

function startWorker(entrypoint, envVars) {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const pending = new Map();
  let next = 0;
  const ready = new Promise((resolve, reject) => {
    worker.onmessage = (e) => {
      const m = e.data;
      if (m.type === 'ready') return resolve();
      if (m.type === 'failed') return reject(new Error(m.message));
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.type === 'response')
        p?.resolve(new Response(m.body, { status: m.status, headers: m.headers }));
      else p?.reject(new Error(m.message));
    };
  });
  worker.postMessage({ type: 'init', entrypoint, envVars });
  return {
    async post(req) {
      await ready;
      const id = next++;
      const body = req.body ? await req.arrayBuffer() : null;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({
          type: 'request',
          id,
          url: req.url,
          method: req.method,
          headers: [...req.headers],
          body,
        });
      });
    },
  };
}

globalThis.EdgeRuntime = {
  userWorkers: {
    async create(opts) {
      if (log) await Deno.writeTextFile(log, JSON.stringify(opts) + '\n', { append: true });
      let w = workers.get(opts.servicePath);
      if (!w || opts.forceCreate) {
        w = startWorker(opts.maybeEntrypoint, opts.envVars);
        workers.set(opts.servicePath, w);
      }
      return { fetch: (req) => w.post(req) };
    },
  },
};
