/**
 * Which configuration files a process reads: the bundled defaults (or $SYSTACK_CONFIG_DIR) and
 * the private directory ($SYSTACK_PRIVATE_DIR, else ./private). No parsing here, so the config
 * cache (`cached.ts`) can find the files without loading yaml or the schemas.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundledPath } from './paths.ts';

/** `SYSTACK_PRIVATE_DIR` names a directory that is not there. */
export class PrivateDirError extends Error {
  override readonly name = 'PrivateDirError';
  constructor(readonly dir: string) {
    super(`SYSTACK_PRIVATE_DIR=${dir}: not a directory (unset it to use ./private)`);
  }
}

export interface ConfigFiles {
  defaults: string;
  control: string;
  privateConfig: string;
  privateControl: string;
}

export interface LoadOptions {
  configDir?: string;
  privateDir?: string;
}

export function defaultConfigDir(): string {
  return process.env.SYSTACK_CONFIG_DIR ?? bundledPath('config');
}

export function defaultPrivateDir(): string {
  return process.env.SYSTACK_PRIVATE_DIR ?? resolve(process.cwd(), 'private');
}

/** The four files `loadConfig(opts)` reads; refuses a SYSTACK_PRIVATE_DIR that is not a directory. */
export function configFiles(opts: LoadOptions = {}): ConfigFiles {
  const configDir = opts.configDir ?? defaultConfigDir();
  const privateDir = opts.privateDir ?? defaultPrivateDir();
  if (process.env.SYSTACK_PRIVATE_DIR !== undefined && opts.privateDir === undefined) {
    if (!statSync(privateDir, { throwIfNoEntry: false })?.isDirectory())
      throw new PrivateDirError(privateDir);
  }
  return {
    defaults: join(configDir, 'defaults.yaml'),
    control: join(configDir, 'control.yaml'),
    privateConfig: join(privateDir, 'private_config.yaml'),
    privateControl: join(privateDir, 'private_control_config.yaml'),
  };
}
