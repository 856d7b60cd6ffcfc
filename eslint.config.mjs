import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.data/', 'appPackage/build/', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/bot/**', 'src/server.ts', 'src/index.ts', 'src/app.ts', 'src/app-*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['botbuilder', 'botbuilder-*', 'botframework-*', '@microsoft/teams-ai', 'restify'],
              message:
                'Only src/bot/ (and the server wiring) may import the Bot Framework or teams-ai: keep the domain SDK-free.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in src/config.ts only.' },
      ],
    },
  },
  {
    // The composition root builds each collaborator before anything, a closure included, refers to it.
    files: ['src/index.ts', 'src/app.ts', 'src/app-*.ts'],
    rules: { '@typescript-eslint/no-use-before-define': ['error', { functions: false }] },
  },
);
