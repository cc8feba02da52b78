// Which Coolify statuses may be believed after a restart (audit D2, coollabsio/coolify@379abb25).
import { describe, expect, it } from 'vitest';
import { decide } from '../src/reconciler/decide.js';
import { freshness } from '../src/reconciler/freshness.js';

const at = new Date(1_000_000);
const restart = {
  coolifyAction: 'restart' as const,
  coolifyActionAt: at,
  coolifyActionSeenAt: null,
};
const LAG = 120_000;

describe('freshness', () => {
  it('awaits a restart until Coolify shows exited or starting (StopService.php:52-53, Service.php:235)', () => {
    expect(freshness(restart, 'running', at.getTime() + 1000, LAG)).toBe('awaiting');
    expect(freshness(restart, 'unhealthy', at.getTime() + 1000, LAG)).toBe('awaiting');
    expect(freshness(restart, 'stopped', at.getTime() + 1000, LAG)).toBe('evidence');
    expect(freshness(restart, 'starting', at.getTime() + 1000, LAG)).toBe('evidence');
    expect(freshness({ ...restart, coolifyActionSeenAt: at }, 'running', at.getTime(), LAG)).toBe(
      'settled',
    );
  });

  it('stops waiting after the lag (a tick may miss the passing statuses)', () => {
    expect(freshness(restart, 'running', at.getTime() + LAG + 1, LAG)).toBe('settled');
  });

  it('needs no waiting after a start or a stop: their old status is not running', () => {
    for (const coolifyAction of ['start', 'stop'] as const)
      expect(freshness({ ...restart, coolifyAction }, 'running', at.getTime(), LAG)).toBe(
        'settled',
      );
    expect(
      freshness(
        { coolifyAction: null, coolifyActionAt: null, coolifyActionSeenAt: null },
        'running',
        0,
        LAG,
      ),
    ).toBe('settled');
  });
});

describe('decide with freshness', () => {
  it('keeps RESTARTING on the old running status, probes once the restart was seen', () => {
    expect(decide('RESTARTING', 'running', false, 'awaiting')).toEqual({ type: 'keep' });
    expect(decide('RESTARTING', 'running', false, 'settled')).toMatchObject({ type: 'probe' });
    // Overdue wins: a restart Coolify never runs still fails in the end.
    expect(decide('RESTARTING', 'running', true, 'awaiting')).toMatchObject({ type: 'probe' });
  });

  it('never takes the exited of our own restart for a stop outside Supaplane', () => {
    expect(decide('ACTIVE_HEALTHY', 'stopped', false, 'evidence')).toEqual({ type: 'keep' });
    expect(decide('ACTIVE_HEALTHY', 'stopped', false, 'settled')).toMatchObject({
      type: 'set',
      to: 'INACTIVE',
    });
    expect(decide('PAUSING', 'stopped', false, 'evidence')).toMatchObject({ to: 'INACTIVE' });
  });
});
