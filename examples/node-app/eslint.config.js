// ESLint flat config. `src/app.js` carries two deliberate findings (no-unused-vars) so the
// Slipway lint stage has something to report.
'use strict';

const js = require('@eslint/js');
const globals = require('globals');

module.exports = [
  { ignores: ['coverage/'] },
  js.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'commonjs',
      globals: { ...globals.node }
    }
  },
  {
    files: ['test/**/*.js'],
    languageOptions: { globals: { ...globals.jest } }
  }
];
