/* global Deno, Request, self */
// The user worker of the stand-in (preload.js): the function's code with its own env.
let handler;

self.onmessage = async (e) => {
  const m = e.data;
  if (m.type === 'init') {
    try {
      const env = new Map(m.envVars);
      const userEnv = {
        get: (k) => env.get(k),
        has: (k) => env.has(k),
        toObject: () => Object.fromEntries(env),
        set: (k, v) => void env.set(k, v),
        delete: (k) => void env.delete(k),
      };
      Object.defineProperty(Deno, 'env', { value: userEnv, configurable: true });
      Deno.serve = (a, b) => {
        handler = typeof a === 'function' ? a : (b ?? a.handler);
        return { finished: new Promise(() => {}), shutdown: async () => {}, addr: {} };
      };
      await import(m.entrypoint);
      self.postMessage({ type: 'ready' });
    } catch (err) {
      self.postMessage({ type: 'failed', message: String(err) });
    }
    return;
  }
  try {
    const req = new Request(m.url, { method: m.method, headers: m.headers, body: m.body });
    const res = await handler(req);
    self.postMessage({
      type: 'response',
      id: m.id,
      status: res.status,
      headers: [...res.headers],
      body: await res.arrayBuffer(),
    });
  } catch (err) {
    self.postMessage({ type: 'error', id: m.id, message: String(err) });
  }
};
