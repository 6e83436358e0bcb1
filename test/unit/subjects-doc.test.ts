/**
 * docs/subjects.md (issue 14 §7) names every stream, KV bucket and object store of the storage
 * catalogue, every process-control endpoint and every monitor data subject.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTROL_ENDPOINTS } from '../../src/bus/schemas/process-control-endpoints.ts';
import { streamName } from '../../src/bus/subjects.ts';
import { STORAGE_CATALOGUE } from '../../src/store/catalogue.ts';
import { MONITOR_SUBJECTS } from '../../src/web/monitor/data-source.ts';

const doc = readFileSync('docs/subjects.md', 'utf8');

describe('docs/subjects.md', () => {
  it('names every stream, KV bucket and object store of the catalogue', () => {
    const names = [...STORAGE_CATALOGUE.streams, ...STORAGE_CATALOGUE.kv, ...STORAGE_CATALOGUE.objectStores];
    expect(names.filter((n) => !doc.includes(streamName('systack', n)))).toEqual([]);
  });

  it('names every process-control endpoint and monitor data subject', () => {
    const subjects = [
      ...Object.values(CONTROL_ENDPOINTS).map((e) => `systack.control.process.${e}`),
      ...MONITOR_SUBJECTS.map((m) => `systack.monitor.${m}`),
    ];
    expect(subjects.filter((s) => !doc.includes(s))).toEqual([]);
  });
});
