/**
 * Buffers around the notional position (digest §7.7, `systems/buffering.py`).
 *
 * | method   | buffer B                                  |
 * | forecast | buffer_size × |vol_scalar × w × IDM|      |
 * | position | buffer_size × |N| (never upper < lower: #217 fixed by the abs) |
 * | none     | 0.001                                     |
 *
 * top = ffill(N) + ffill(B), bottom = ffill(N) − ffill(B).
 */
import { ffill, type Series } from './series.ts';

export type BufferMethod = 'forecast' | 'position' | 'none';

export interface BufferInputs {
  notional: Series;
  volScalar: Series;
  weight: Series;
  idm: number;
}

export function bufferSize(method: BufferMethod, size: number, inputs: BufferInputs): Series {
  const n = inputs.notional.length;
  const out = new Float64Array(n);
  if (method === 'none') return out.fill(0.001);
  if (method === 'position') {
    for (let i = 0; i < n; i++) out[i] = Math.abs(inputs.notional[i]!) * size;
    return out;
  }
  const vs = ffill(inputs.volScalar);
  const w = ffill(inputs.weight);
  for (let i = 0; i < n; i++) out[i] = Math.abs(vs[i]! * w[i]! * inputs.idm) * size;
  return out;
}

export interface PositionBuffers {
  top: Series;
  bottom: Series;
}

export function applyBuffers(notional: Series, buffer: Series): PositionBuffers {
  const p = ffill(notional);
  const b = ffill(buffer);
  const top = new Float64Array(p.length);
  const bottom = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    top[i] = p[i]! + b[i]!;
    bottom[i] = p[i]! - b[i]!;
  }
  return { top, bottom };
}
