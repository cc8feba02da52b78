import { describe, expect, it } from 'vitest';
import { classify, decide } from '../src/reconciler/decide.js';

describe('Coolify status mapping', () => {
  it.each([
    ['running:healthy', 'running'],
    ['running:unknown', 'running'],
    ['running:starting', 'running'],
    ['running:unhealthy', 'unhealthy'],
    ['degraded:unhealthy', 'unhealthy'],
    ['starting:unhealthy', 'starting'],
    ['starting:unknown', 'starting'],
    ['restarting:unknown', 'starting'],
    ['exited', 'stopped'],
    ['paused:unknown', 'stopped'],
    ['running:healthy:excluded', 'running'],
    ['weird', 'unknown'],
    [undefined, 'missing'],
  ] as const)('%s → %s', (status, observed) => {
    expect(classify(status)).toBe(observed);
  });
});

describe('reconcile decisions', () => {
  it('promotes a settling project only through a probe', () => {
    expect(decide('COMING_UP', 'running', false)).toEqual({ type: 'probe', to: 'ACTIVE_HEALTHY' });
    expect(decide('RESTORING', 'running', false)).toEqual({ type: 'probe', to: 'ACTIVE_HEALTHY' });
    expect(decide('COMING_UP', 'stopped', false)).toEqual({ type: 'keep' });
    expect(decide('COMING_UP', 'starting', true)).toMatchObject({ type: 'set', to: 'INIT_FAILED' });
    expect(decide('COMING_UP', 'running', true)).toMatchObject({
      type: 'probe',
      onFailure: { to: 'INIT_FAILED' },
    });
    expect(decide('RESTORING', 'stopped', true)).toMatchObject({
      type: 'set',
      to: 'RESTORE_FAILED',
    });
  });

  it('notices what an operator did in Coolify', () => {
    expect(decide('ACTIVE_HEALTHY', 'stopped', false)).toMatchObject({
      type: 'set',
      to: 'INACTIVE',
    });
    expect(decide('ACTIVE_HEALTHY', 'missing', false)).toMatchObject({
      type: 'set',
      to: 'REMOVED',
    });
    expect(decide('INACTIVE', 'running', false)).toEqual({ type: 'probe', to: 'ACTIVE_HEALTHY' });
  });

  it('pauses land on INACTIVE or PAUSE_FAILED', () => {
    expect(decide('PAUSING', 'stopped', false)).toMatchObject({ type: 'set', to: 'INACTIVE' });
    expect(decide('PAUSING', 'running', false)).toEqual({ type: 'keep' });
    expect(decide('PAUSING', 'running', true)).toMatchObject({ type: 'set', to: 'PAUSE_FAILED' });
  });

  it('leaves healthy projects alone without probing, and flags unhealthy ones', () => {
    expect(decide('ACTIVE_HEALTHY', 'running', false)).toEqual({ type: 'keep' });
    expect(decide('ACTIVE_HEALTHY', 'unhealthy', false)).toMatchObject({ to: 'ACTIVE_UNHEALTHY' });
    expect(decide('GOING_DOWN', 'missing', false)).toEqual({ type: 'keep' });
    expect(decide('REMOVED', 'missing', false)).toEqual({ type: 'keep' });
  });
});
