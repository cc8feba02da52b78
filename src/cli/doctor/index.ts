import { ConfigError, parseConfig } from '../../config/config.js';
import type { Command } from '../command.js';
import { EXIT, json, line } from '../io.js';
import { fail, ok, renderCheck, type Check } from './check.js';
import { coolifyChecks } from './coolify.js';
import { databaseChecks } from './database.js';
import { domainChecks, systemLookup } from './domain.js';

/**
 * Checks a deployment end to end without changing anything: it does not start
 * the runtime (which would apply migrations) and its Coolify calls are reads or
 * no-ops on ids that cannot exist.
 */
export const doctor: Command = {
  name: 'doctor',
  usage: 'doctor [--json]',
  summary: 'Check the database, encryption key, Coolify (API, version, token, servers) and DNS',
  async run(ctx) {
    const checks: Check[] = [];
    const report = (list: Check[]) => {
      checks.push(...list);
      if (!ctx.values.json) for (const c of list) line(ctx.io, renderCheck(c));
    };
    let config;
    try {
      config = parseConfig(ctx.io.env);
      report([ok('Configuration valid')]);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      report([
        fail(
          'Configuration valid',
          err.issues.join('; '),
          'fix the variables named above (each is described in .env.example)',
        ),
      ]);
    }
    if (config) {
      report(await databaseChecks(config));
      const coolify = await coolifyChecks(config);
      report(coolify.checks);
      report(await domainChecks(config, coolify.servers, ctx.io.lookup ?? systemLookup));
    }
    const failed = checks.filter((c) => c.status === 'fail').length;
    if (ctx.values.json) json(ctx.io, { ok: failed === 0, checks });
    else
      line(ctx.io, failed ? `\n${failed} problem${failed > 1 ? 's' : ''} found.` : '\nAll good.');
    return failed ? EXIT.failed : EXIT.ok;
  },
};
