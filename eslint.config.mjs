import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const TEAMS_SDKS = {
  group: ['botbuilder', 'botbuilder-*', 'botframework-*', '@microsoft/teams-ai', 'restify'],
  message: 'Only src/teams/ may import the Bot Framework, teams-ai or restify.',
};

/** The layers, top to bottom: a file may import its own layer and the ones below it, never one above. */
const ABOVE = {
  features: ['teams'],
  domain: ['teams', 'features'],
  infra: ['teams', 'features', 'domain'],
};

/**
 * Features depend on each other one way only: bulk and notify use remediate's resolver, bulk reads notify's
 * ledger (diagnose writes to it through an interface of its own); the shared folders (cards, commands,
 * shared) use no feature.
 */
const FEATURES_BELOW = {
  remediate: [],
  notify: ['remediate'],
  bulk: ['remediate', 'notify'],
  audit: [],
  diagnose: [],
};
const FEATURES = Object.keys(FEATURES_BELOW);

function layerRule(layer, folder, extra = []) {
  return {
    files: [`src/${layer}/${folder ? `${folder}/` : ''}**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            TEAMS_SDKS,
            {
              group: ABOVE[layer].map((above) => `**/${above}/**`),
              message: `src/${layer}/ may not import from a layer above it (${ABOVE[layer].join(', ')}): pass what it needs in instead.`,
            },
            ...extra,
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Only src/index.ts reads the environment; it hands it to src/infra/config.ts.',
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.data/', 'appPackage/build/', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-restricted-imports': 'off',
    },
  },
  layerRule('features'),
  ...[...FEATURES, 'cards', 'commands', 'shared'].map((folder) => {
    const below = FEATURES_BELOW[folder] ?? [];
    const refused = FEATURES.filter((f) => f !== folder && !below.includes(f));
    return layerRule('features', folder, [
      {
        group: refused.map((f) => `../${f}/*`),
        message: `src/features/${folder}/ may not import ${refused.join(', ')}: features depend on each other one way only.`,
      },
    ]);
  }),
  layerRule('domain'),
  layerRule('infra'),
  {
    files: ['src/teams/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@microsoft/teams-ai',
              message:
                "Import from '@microsoft/teams-ai/lib/<Module>': the package's index loads its AI planners, OpenAI client and tokenizer, some 2.4 MB of bundle the bot never runs and keeps in memory.",
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Only src/index.ts reads the environment; it hands it to src/infra/config.ts.',
        },
      ],
    },
  },
  {
    // The composition root builds each collaborator before anything, a closure included, refers to it.
    files: ['src/index.ts', 'src/teams/app.ts', 'src/teams/app-*.ts'],
    rules: { '@typescript-eslint/no-use-before-define': ['error', { functions: false }] },
  },
);
