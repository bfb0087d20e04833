// The pure core (model, plan, health, sync/step, report renderers) may not reach the outside
// world: no I/O modules, no clock, no randomness. Side effects enter through ports passed in.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const pureFolders = [
  'src/model/**',
  'src/plan/**',
  'src/health/**',
  'src/sync/step.ts',
  'src/sync/live-compare.ts',
  'src/sync/would-be.ts',
  'src/manifests/parse.ts',
  'src/report/model.ts',
  'src/report/render-*.ts',
  'src/report/escape.ts',
  'src/report/budget.ts',
  'src/report/head-sha.ts'
]

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'coverage/', '.cluster/', 'test/cluster/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      'max-lines-per-function': ['warn', { max: 50, skipBlankLines: true, skipComments: true }]
    }
  },
  {
    // Plain JavaScript build and test-setup scripts run on Node.
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node }
  },
  {
    // A describe block is as long as its cases; the size rule is for source functions.
    files: ['test/**/*.ts'],
    rules: { 'max-lines-per-function': 'off' }
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] }
  },
  {
    files: pureFolders,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'https'],
              message: 'pure core: no I/O'
            },
            { group: ['@actions/*', '@kubernetes/*', 'undici'], message: 'pure core: use a port' }
          ]
        }
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'pure core: use the Clock port' },
        { name: 'setInterval', message: 'pure core: use the Clock port' },
        { name: 'process', message: 'pure core: pass settings in' },
        { name: 'fetch', message: 'pure core: use a port' }
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'pure core: use the Clock port' },
        { object: 'Math', property: 'random', message: 'pure core: no randomness' }
      ]
    }
  }
)
