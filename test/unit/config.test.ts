import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadConfig,
  mergeConfig,
  redactedConfig,
  redactSecrets,
} from '../../src/config/load.ts';

function privateDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'systack-private-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function loadError(files: Record<string, string>): ConfigError {
  try {
    loadConfig({ privateDir: privateDir(files) });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('loads the reference defaults when there is no private file', () => {
    const c = loadConfig({ privateDir: privateDir({}) });
    expect(c.system.max_price_spike).toBe(8);
    expect(c.system.intraday_frequency).toBe('H');
    expect(c.system.production_capital_method).toBe('full');
    expect(c.system.ib_port).toBe(4001);
    expect(c.system.ib_idoffset).toBe(100);
    expect(c.control.process_configuration_start_time.run_capital_update).toBe('01:00');
    expect(c.control.process_configuration_stop_time.run_stack_handler).toBe('19:45');
    expect(c.control.process_configuration_previous_process.run_systems).toBe('run_daily_prices_updates');
    expect(c.control.process_configuration_methods.run_stack_handler?.safe_stack_removal).toEqual({
      run_on_completion_only: true,
    });
    expect(c.secrets).toEqual([]);
  });

  it('private config overrides key by key and keeps the other defaults', () => {
    const c = loadConfig({
      privateDir: privateDir({
        'private_config.yaml': 'max_price_spike: 6\nib_port: 4002\nemail_pwd: hunter22\n',
        'private_control_config.yaml': "process_configuration_start_time:\n  run_stack_handler: '07:00'\n",
      }),
    });
    expect(c.system.max_price_spike).toBe(6);
    expect(c.system.ib_port).toBe(4002);
    expect(c.system.ib_ipaddress).toBe('127.0.0.1');
    expect(c.control.process_configuration_start_time.run_stack_handler).toBe('07:00');
    expect(c.control.process_configuration_start_time.run_capital_update).toBe('01:00');
    expect(c.secrets).toEqual(['hunter22']);
    expect(redactedConfig(c.system).email_pwd).toBe('[redacted]');
  });

  it('redacts secret values wherever they appear, also embedded in non-secret keys and URLs', () => {
    const c = loadConfig({
      privateDir: privateDir({
        'private_config.yaml': [
          'email_pwd: hunter22',
          'nats_token: tok-9f8e7d',
          'data_dir: /srv/hunter22/data',
          'email_to: ops+tok-9f8e7d@example.com',
          'nats_url: nats://trader:urlpass77@127.0.0.1:4222',
          '',
        ].join('\n'),
      }),
    });
    const shown = redactedConfig(c.system);
    const text = JSON.stringify(shown);
    for (const secret of ['hunter22', 'tok-9f8e7d', 'urlpass77']) expect(text).not.toContain(secret);
    expect(shown.email_pwd).toBe('[redacted]');
    expect(shown.data_dir).toBe('/srv/[redacted]/data');
    expect(shown.email_to).toBe('ops+[redacted]@example.com');
    expect(shown.nats_url).toBe('nats://trader:[redacted]@127.0.0.1:4222');
    expect(c.secrets).toContain('urlpass77');
    expect(redactSecrets({ arguments: { x: 'a-hunter22-b' } }, c.secrets)).toEqual({
      arguments: { x: 'a-[redacted]-b' },
    });
  });

  it('an external nats_url not on loopback requires TLS', () => {
    const e = loadError({ 'private_config.yaml': 'nats_url: nats://10.0.0.5:4222\n' });
    expect(e.keyPath).toBe('nats_url');
    expect(e.expected).toMatch(/not on loopback.*TLS/);
    const tls = (extra: string) =>
      loadConfig({ privateDir: privateDir({ 'private_config.yaml': extra }) }).system.nats_url;
    expect(tls('nats_url: tls://nats.example:4222\n')).toBe('tls://nats.example:4222');
    expect(tls('nats_url: nats://10.0.0.5:4222\nnats_tls_ca_file: /etc/ca.pem\n')).toBe(
      'nats://10.0.0.5:4222',
    );
    expect(tls('nats_url: nats://127.0.0.1:4222\n')).toBe('nats://127.0.0.1:4222');
  });

  it('SYSTACK_PRIVATE_DIR selects the private directory', () => {
    const dir = privateDir({ 'private_config.yaml': 'base_currency: GBP\n' });
    process.env.SYSTACK_PRIVATE_DIR = dir;
    try {
      expect(loadConfig().system.base_currency).toBe('GBP');
    } finally {
      delete process.env.SYSTACK_PRIVATE_DIR;
    }
  });

  it('a control overlay (SYSTACK_CONTROL_OVERLAY) sits between the defaults and the private file', () => {
    const dir = privateDir({
      'overlay.yaml': "process_configuration_start_time:\n  run_systems: '12:35'\n  run_reports: '12:55'\n",
      'private_control_config.yaml': "process_configuration_start_time:\n  run_reports: '13:00'\n",
    });
    process.env.SYSTACK_CONTROL_OVERLAY = join(dir, 'overlay.yaml');
    try {
      const c = loadConfig({ privateDir: dir }).control.process_configuration_start_time;
      expect([c.run_systems, c.run_reports, c.run_capital_update]).toEqual(['12:35', '13:00', '01:00']);
      process.env.SYSTACK_CONTROL_OVERLAY = join(dir, 'missing.yaml');
      expect(() => loadConfig({ privateDir: dir })).toThrow(/missing\.yaml: key '\(file\)': file not found/);
    } finally {
      delete process.env.SYSTACK_CONTROL_OVERLAY;
    }
  });

  it('strategy_list in the private file replaces the default strategies', () => {
    const c = loadConfig({
      privateDir: privateDir({
        'private_config.yaml': [
          'strategy_list:',
          '  trend:',
          '    load_backtests: { object: classic }',
          'strategy_capital_allocation:',
          '  function: weighted_strategy_allocation',
          '  strategy_weights: { trend: 1.0 }',
        ].join('\n'),
        'private_control_config.yaml': [
          'process_configuration_methods:',
          '  run_systems: { trend: { max_executions: 1, object: classic } }',
          '  run_strategy_order_generator: { trend: { object: classic_buffered_positions } }',
        ].join('\n'),
      }),
    });
    expect(Object.keys(c.system.strategy_list)).toEqual(['trend']);
    expect(Object.keys(c.control.process_configuration_methods.run_systems ?? {})).toEqual(['trend']);
  });

  it('an unknown key names the file and the key', () => {
    const e = loadError({ 'private_config.yaml': 'max_price_spik: 6\n' });
    expect(e.message).toMatch(/private_config\.yaml: key 'max_price_spik': unknown key/);
  });

  it('a nested unknown key names its full path', () => {
    const e = loadError({
      'private_config.yaml':
        'strategy_capital_allocation:\n  function: weighted_strategy_allocation\n  weights: {}\n',
    });
    expect(e.message).toContain("key 'strategy_capital_allocation.weights'");
  });

  it('a wrong type names the file, the key and the expected type', () => {
    const e = loadError({ 'private_config.yaml': "ib_port: 'four thousand'\n" });
    expect(e.file).toMatch(/private_config\.yaml$/);
    expect(e.keyPath).toBe('ib_port');
    expect(e.expected).toBe('expected number');
  });

  it('a bad enum value says what is allowed', () => {
    const e = loadError({ 'private_config.yaml': 'production_capital_method: quarter\n' });
    expect(e.keyPath).toBe('production_capital_method');
    expect(e.expected).toMatch(/full.*half.*fixed/);
  });

  it('a bad time in the private control config names that file', () => {
    const e = loadError({
      'private_control_config.yaml': "process_configuration_stop_time:\n  run_reports: '25:00'\n",
    });
    expect(e.message).toMatch(
      /private_control_config\.yaml: key 'process_configuration_stop_time\.run_reports': a time as HH:MM/,
    );
  });

  it('a missing required private key for IB names the private file', () => {
    const e = loadError({ 'private_config.yaml': 'broker: ib\n' });
    expect(e.message).toMatch(/private_config\.yaml: key 'broker_account': required when broker is 'ib'/);
  });

  it('a strategy without run_systems configuration is an error naming the control file', () => {
    const e = loadError({
      'private_config.yaml':
        'strategy_list:\n  trend: {}\nstrategy_capital_allocation:\n  function: weighted_strategy_allocation\n  strategy_weights: { trend: 1 }\n',
    });
    expect(e.message).toMatch(
      /private_control_config\.yaml: key 'process_configuration_methods\.run_systems\.trend'/,
    );
  });

  it('invalid YAML reports the line', () => {
    const e = loadError({ 'private_config.yaml': 'a: 1\nb: [1, 2\n' });
    expect(e.message).toMatch(/private_config\.yaml: key '\(yaml\)': invalid YAML/);
  });

  it('merge replaces arrays and scalars and merges mappings', () => {
    expect(mergeConfig({ a: { b: 1, c: 2 }, d: [1] }, { a: { c: 3 }, d: [2] })).toEqual({
      a: { b: 1, c: 3 },
      d: [2],
    });
  });
});
