import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { type ProcessMachineInput, processMachine } from '../../machines/process.ts';
import { resolveControlConfig } from '../../src/domain/process-control/config.ts';
import { SHIPPED_CONTROL_CONFIG } from '../../src/domain/process-control/shipped.ts';

const at = (hhmm: string) => Date.parse(`2026-11-20T${hhmm}:00Z`);
const shipped = resolveControlConfig(SHIPPED_CONTROL_CONFIG);

function input(name: string, over: Partial<ProcessMachineInput> = {}): ProcessMachineInput {
  const p = shipped.processes[name]!;
  return {
    process: name,
    host: 'h1',
    assignedHost: undefined,
    startTime: p.startTime,
    stopTime: p.stopTime,
    timeZone: 'UTC',
    previousProcess: p.previousProcess,
    methods: p.methods,
    status: 'GO',
    running: false,
    previous: undefined,
    now: at('12:00'),
    ...over,
  };
}

/** Run the machine with recording actions; the test plays the host. */
function start(i: ProcessMachineInput) {
  const ran: string[] = [];
  const effects: string[] = [];
  const actor = createActor(
    processMachine.provide({
      actions: {
        requestLease: () => effects.push('requestLease'),
        runMethod: ({ context }) => ran.push(context.currentMethod!),
        finishProcess: () => effects.push('finishProcess'),
        reportNotStarted: () => effects.push('reportNotStarted'),
        reportFailure: () => effects.push('reportFailure'),
      },
    }),
    { input: i },
  ).start();
  return { actor, ran, effects, value: () => actor.getSnapshot().value };
}

describe('process machine', () => {
  it('waits for the window, takes the lease, runs each method once, finishes (run_reports)', () => {
    const prev = { running: false, lastEnd: at('20:20') };
    const { actor, ran, effects, value } = start(input('run_reports', { now: at('20:00'), previous: prev }));
    expect(value()).toBe('waiting');
    expect(actor.getSnapshot().context.reason).toBe('outside time window');
    actor.send({ type: 'CLOCK_TICK', now: at('20:25') });
    expect(value()).toBe('acquiring');
    actor.send({ type: 'LEASE_ACQUIRED', now: at('20:25') });
    for (let k = 0; k < 5; k++) actor.send({ type: 'METHOD_DONE', now: at('20:26') });
    expect(ran).toEqual([
      'status_report',
      'roll_report',
      'daily_pandl_report',
      'reconcile_report',
      'trade_report',
    ]);
    expect(value()).toBe('finished');
    expect(effects).toEqual(['requestLease', 'finishProcess']);
    expect(actor.getSnapshot().output).toEqual({ outcome: 'finished', reason: 'all methods finished' });
  });

  it('waits for the previous process, and exits past the stop time without running', () => {
    const { actor, value, effects } = start(input('run_systems', { now: at('20:06') }));
    expect(actor.getSnapshot().context.reason).toBe('previous process has not finished');
    actor.send({ type: 'PREVIOUS', record: { running: true, lastEnd: at('10:00') } });
    expect(value()).toBe('waiting');
    actor.send({ type: 'CLOCK_TICK', now: at('23:51') });
    expect(value()).toBe('notStarted');
    expect(effects).toEqual(['reportNotStarted']);
    expect(actor.getSnapshot().output?.reason).toBe('past stop time');
  });

  it('runs only on its assigned host', () => {
    const { value, actor } = start(input('run_reports', { assignedHost: 'other' }));
    expect(value()).toBe('notStarted');
    expect(actor.getSnapshot().output?.reason).toBe('assigned to host other, this is h1');
  });

  it('refuses when the lease is held elsewhere', () => {
    const { actor, value } = start(input('run_stack_handler'));
    actor.send({ type: 'LEASE_REFUSED', reason: 'already running on h2' });
    expect(value()).toBe('notStarted');
    const again = start(input('run_stack_handler', { running: true }));
    expect(again.actor.getSnapshot().output?.reason).toBe('already running');
  });

  it('STOP waits for the current method, then runs completion-only methods (safe_stack_removal)', () => {
    const { actor, ran, value, effects } = start(input('run_stack_handler'));
    actor.send({ type: 'LEASE_ACQUIRED', now: at('12:00') });
    expect(ran).toEqual(['check_external_position_break']);
    actor.send({ type: 'STATUS', status: 'STOP' });
    expect(value()).toEqual({ running: 'method' });
    actor.send({ type: 'METHOD_DONE', now: at('12:01') });
    expect(value()).toEqual({ finishing: 'method' });
    expect(ran).toEqual(['check_external_position_break', 'safe_stack_removal']);
    actor.send({ type: 'METHOD_DONE', now: at('12:02') });
    expect(value()).toBe('finished');
    expect(effects.at(-1)).toBe('finishProcess');
    expect(actor.getSnapshot().output?.reason).toBe('status is STOP');
  });

  it('ABANDON (its supervisor died) waits for the current method, then fails without safe_stack_removal', () => {
    const { actor, ran, value, effects } = start(input('run_stack_handler'));
    actor.send({ type: 'LEASE_ACQUIRED', now: at('12:00') });
    expect(ran).toEqual(['check_external_position_break']);
    actor.send({ type: 'ABANDON', reason: 'its supervisor died' });
    expect(value()).toEqual({ running: 'method' });
    actor.send({ type: 'METHOD_DONE', now: at('12:01') });
    expect(value()).toBe('failed');
    expect(ran).toEqual(['check_external_position_break']);
    expect(effects.at(-1)).toBe('reportFailure');
    expect(actor.getSnapshot().output).toEqual({
      outcome: 'failed',
      reason: 'abandoned: its supervisor died',
    });
  });

  it('ABANDON of a waiting run exits it; during completion methods they still finish', () => {
    const waiting = start(input('run_reports', { now: at('20:00') }));
    waiting.actor.send({ type: 'ABANDON', reason: 'its supervisor died' });
    expect(waiting.value()).toBe('notStarted');
    const { actor, ran, value } = start(input('run_stack_handler'));
    actor.send({ type: 'LEASE_ACQUIRED', now: at('12:00') });
    actor.send({ type: 'STATUS', status: 'STOP' });
    actor.send({ type: 'METHOD_DONE', now: at('12:01') });
    expect(value()).toEqual({ finishing: 'method' });
    actor.send({ type: 'ABANDON', reason: 'its supervisor died' });
    actor.send({ type: 'METHOD_DONE', now: at('12:02') });
    expect(value()).toBe('finished');
    expect(ran.at(-1)).toBe('safe_stack_removal');
  });

  it('PAUSE skips methods but keeps running; GO resumes; NO-RUN keeps running', () => {
    const { actor, ran, value } = start(input('run_stack_handler'));
    actor.send({ type: 'LEASE_ACQUIRED', now: at('12:00') });
    actor.send({ type: 'STATUS', status: 'PAUSE' });
    actor.send({ type: 'METHOD_DONE', now: at('12:00') });
    expect(value()).toEqual({ running: 'choosing' });
    actor.send({ type: 'CLOCK_TICK', now: at('12:05') });
    expect(ran.length).toBe(1);
    actor.send({ type: 'STATUS', status: 'NO-RUN' });
    actor.send({ type: 'CLOCK_TICK', now: at('12:06') });
    expect(value()).toEqual({ running: 'method' });
    expect(ran).toEqual(['check_external_position_break', 'check_external_position_break']);
  });

  it('stops at the stop time after the running method, generate_force_roll_orders once per run', () => {
    const { actor, ran, value } = start(input('run_stack_handler'));
    actor.send({ type: 'LEASE_ACQUIRED', now: at('12:00') });
    for (let k = 0; k < 30; k++) {
      if (actor.getSnapshot().matches({ running: 'choosing' }))
        actor.send({ type: 'CLOCK_TICK', now: at('12:00') });
      else actor.send({ type: 'METHOD_DONE', now: at('12:00') });
    }
    expect(ran.filter((m) => m === 'generate_force_roll_orders').length).toBe(1);
    expect(ran.filter((m) => m === 'refresh_additional_sampling_all_instruments').length).toBe(1);
    expect(ran.filter((m) => m === 'process_fills_stack').length).toBeGreaterThan(2);
    actor.send({ type: 'CLOCK_TICK', now: at('19:46') });
    expect(value()).toEqual({ running: 'method' });
    actor.send({ type: 'METHOD_DONE', now: at('19:46') });
    expect(ran.at(-1)).toBe('safe_stack_removal');
  });

  it('a method failure ends in failed without completion methods (P9 crash)', () => {
    const { actor, ran, value, effects } = start(input('run_stack_handler'));
    actor.send({ type: 'LEASE_ACQUIRED', now: at('12:00') });
    actor.send({ type: 'METHOD_FAILED', now: at('12:00'), error: 'boom' });
    expect(value()).toBe('failed');
    expect(ran).not.toContain('safe_stack_removal');
    expect(effects.at(-1)).toBe('reportFailure');
    expect(actor.getSnapshot().output).toEqual({
      outcome: 'failed',
      reason: 'method check_external_position_break failed: boom',
    });
  });

  it('a lost lease ends immediately', () => {
    const { actor, value } = start(input('run_stack_handler'));
    actor.send({ type: 'LEASE_ACQUIRED', now: at('12:00') });
    actor.send({ type: 'LEASE_LOST', reason: 'marked finished' });
    expect(value()).toBe('leaseLost');
  });

  it('NO-RUN waits; STOP exits a waiting process', () => {
    const { actor, value } = start(input('run_reports', { status: 'NO-RUN' }));
    expect(value()).toBe('waiting');
    actor.send({ type: 'STATUS', status: 'STOP' });
    expect(value()).toBe('notStarted');
  });
});
