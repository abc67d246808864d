// ESLint for Bluelamp's browser code: `make js` (or `npx eslint`) from the repository root.
// The browser code is ES modules (dashboard/assets/js, entered through main.js); the tests
// are ES modules run by node's own test runner.
import js from "@eslint/js";
import globals from "globals";

// Data never goes through the HTML parser: elements are built with dom.js's h(). innerHTML
// and outerHTML are forbidden outright (no-restricted-properties, below), these besides.
const NO_HTML = [
  { selector: "CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln|createContextualFragment)$/]", message: "Build elements with h() (dom.js): data must never be parsed as HTML." },
  { selector: "Property[key.name='html'] > Literal, Property[key.name='html'] > TemplateLiteral, Property[key.name='html'] > BinaryExpression", message: "A Leaflet divIcon's html: pass an element made with h(), not a string." },
];

export default [
  { ignores: ["node_modules/", ".venv/", "var/", "test-artifacts/", "build/", "dist/"] },
  js.configs.recommended,
  {
    files: ["dashboard/assets/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: {
        ...globals.browser,
        // What dash-leaflet, Dash and dash-ag-grid put on window before main.js runs.
        L: "readonly",
        dash_clientside: "readonly",
        dash_ag_grid: "readonly",
      },
    },
    rules: {
      "no-restricted-syntax": ["error", ...NO_HTML],
      "no-restricted-properties": ["error",
        { property: "innerHTML", message: "Build elements with h() (dom.js)." },
        { property: "outerHTML", message: "Build elements with h() (dom.js)." }],
      "array-callback-return": "error",
      eqeqeq: "error",
      "no-var": "error",
      "prefer-const": "error",
      "no-promise-executor-return": "error",
      "no-self-compare": "error",
      "no-template-curly-in-string": "error",
      "no-unmodified-loop-condition": "error",
      "no-unreachable-loop": "error",
    },
  },
  {
    files: ["eslint.config.js", "tests/js/**/*.js"],
    // The tests' page (tests/js/page.js) puts a document and a window on globalThis.
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node, document: "readonly", window: "readonly" } },
  },
];
