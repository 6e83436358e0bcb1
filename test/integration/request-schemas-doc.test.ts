/**
 * docs/request-schemas.md is generated from the zod schemas the services check bodies with
 * (scripts/gen-request-schemas.ts): it must be current, and say what those schemas accept.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRequestSchemas } from '../../scripts/gen-request-schemas.ts';

const md = renderRequestSchemas();

/** The JSON Schema printed under `### \`name\``. */
function schemaOf(name: string): Record<string, unknown> {
  const at = md.indexOf(`### \`${name}\``);
  expect(at).toBeGreaterThan(-1);
  const start = md.indexOf('```json\n', at) + 8;
  const body = md.slice(start, md.indexOf('\n```', start));
  return JSON.parse(body) as Record<string, unknown>;
}

describe('docs/request-schemas.md', () => {
  it('is what the generator writes now (regenerate: npx tsx scripts/gen-request-schemas.ts)', () => {
    const onDisk = readFileSync(new URL('../../docs/request-schemas.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(md);
  });

  it('holds the services’ own rules: an explicit end-of-day body, strict bodies, the FX sides', () => {
    expect(schemaOf('eodBody')).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { confirm: { type: 'string', const: 'END OF DAY' } },
      required: ['confirm'],
      additionalProperties: false,
    });
    expect(schemaOf('emptyBody')).toMatchObject({ properties: {}, additionalProperties: false });
    const fx = schemaOf('fxTrade') as { properties: { side: unknown }; required: string[] };
    expect(fx.properties.side).toEqual({ type: 'string', enum: ['buy', 'sell'] });
    expect(fx.required).toEqual(expect.arrayContaining(['pair', 'side', 'amount']));
    expect(md.match(/^### /gm)?.length).toBeGreaterThanOrEqual(35);
  });
});
