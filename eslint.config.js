import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layering (docs/adr/0001-layering.md): services and everything beneath them stay
// transport-free, so only src/http may import Hono.
const noHonoOutsideHttp = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { group: ['hono', 'hono/*', '@hono/*'], message: 'Only src/http/** may import Hono.' },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'drizzle/', '.supaplane/', '.test-data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/http/**', 'src/app.ts', 'src/main.ts'],
    rules: noHonoOutsideHttp,
  },
);
