import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layering (docs/adr/0001-layering.md): services and everything beneath them stay
// transport-free, so only src/http may import Hono, and nothing outside it imports
// src/http (the views that shape a transport's bodies live beside that transport).
const noHonoOutsideHttp = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { group: ['hono', 'hono/*', '@hono/*'], message: 'Only src/http/** may import Hono.' },
        {
          regex: '^(\\.{1,2}/)+(.*/)?http/',
          message:
            'Services never import a transport: views that shape its bodies live in src/http/**.',
        },
      ],
    },
  ],
};

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'drizzle/', '.supaplane/', '.test-data/', 'coverage/'],
  },
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
  {
    // A header set with c.header before a selfHeaded route's handler would be lost:
    // middleware sets them with answerHeader (src/http/answer-headers.ts).
    files: ['src/http/middleware/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='header'][arguments.length>=2]",
          message: 'Middleware sets answer headers with answerHeader (src/http/answer-headers.ts).',
        },
      ],
    },
  },
);
