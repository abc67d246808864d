// ESLint for Bluelamp's browser scripts: `make js` (or `npx eslint`) from the repository root.
// The assets are plain scripts (IIFEs Dash loads in file-name order), not modules; the
// tests are CommonJS run by node's own test runner.
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  { ignores: ["node_modules/", ".venv/", "var/", "test-artifacts/", "build/", "dist/"] },
  js.configs.recommended,
  {
    files: ["dashboard/assets/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: {
        ...globals.browser,
        // What dash-leaflet, Dash, dash-ag-grid and plotly put on window before assets/ run.
        L: "readonly",
        dash_clientside: "readonly",
        dash_ag_grid: "readonly",
        Plotly: "readonly",
      },
    },
    rules: {
      // A catch that ignores its error is deliberate here (no audio device, private mode).
      "no-unused-vars": ["error", { caughtErrors: "none" }],
      // Beyond the recommended set, rules that find bugs rather than style; the assets'
      // layout (var, hoisted helpers, shadowed names) is left as it is.
      "array-callback-return": "error",
      eqeqeq: "error",
      "no-implicit-globals": "error",
      "no-promise-executor-return": "error",
      "no-self-compare": "error",
      "no-template-curly-in-string": "error",
      "no-unmodified-loop-condition": "error",
      "no-unreachable-loop": "error",
    },
  },
  {
    files: ["eslint.config.js", "tests/js/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "commonjs", globals: { ...globals.node } },
  },
];
