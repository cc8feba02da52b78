#!/usr/bin/env node
// The `supaplane` CLI. It runs the TypeScript sources directly (tsx compiles them
// on load), so there is no build step: the same files as `npm start`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main();
