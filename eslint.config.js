// ESLint flat config: typescript-eslint's recommended rules, with `any` forbidden, and the
// house's layering enforced (DESIGN.md "Layers and folders"):
//   src/domain ← machines ← actors ← src/cli, src/web (entry points)
//   src/bus, src/store, src/broker, src/config, src/log sit beside the domain and never import
//   actors or machines. Import cycles are checked separately (`npm run check:cycles`, dpdm).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A no-restricted-imports rule forbidding relative imports that reach the named top folders. */
function forbid(message, ...folders) {
  const alternatives = folders.join('|');
  return ['error', { patterns: [{ regex: `^(\\./|(\\.\\./)+)(${alternatives})(/|$)`, message }] }];
}

const entryPoints = ['src/cli', 'src/web'];
const sideLayers = ['src/bus', 'src/store', 'src/broker', 'src/config', 'src/log'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.systack/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        'src/domain is pure maths and types: it imports nothing but other domain modules.',
        'machines',
        'actors',
        'bus',
        'store',
        'broker',
        'config',
        'log',
        'cli',
        'web',
      ),
    },
  },
  {
    files: ['machines/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        'machines/ are pure: they import only src/domain (and xstate).',
        'actors',
        'src/bus',
        'src/store',
        'src/broker',
        'src/config',
        'src/log',
        'src/cli',
        'src/web',
      ),
    },
  },
  {
    files: sideLayers.map((d) => `${d}/**/*.ts`),
    rules: {
      'no-restricted-imports': forbid(
        'src/bus, src/store, src/broker, src/config and src/log never import actors, machines or entry points.',
        'machines',
        'actors',
        'cli',
        'web',
      ),
    },
  },
  {
    files: ['actors/**/*.ts'],
    // The supervisor daemon is itself an entry point (a daemon): it serves the monitor page.
    ignores: ['actors/supervisor/daemon.ts'],
    rules: {
      'no-restricted-imports': forbid(
        'actors/ never import the entry points (src/cli, src/web).',
        ...entryPoints,
      ),
    },
  },
);
