// ESLint flat config: typescript-eslint's strictest type-aware rule set over src/ and test/,
// typed through the project's tsconfig.json (parserOptions.projectService). Run: npm run lint.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "out-test/", "node_modules/", ".tools/"] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Numbers in template literals (counts, line numbers, token totals) are intended;
      // everything else stays restricted (this is recommendedTypeChecked's setting).
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // node:test's test()/describe() return promises that the runner itself tracks.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["test", "it", "describe", "suite"] },
          ],
        },
      ],
    },
  },
);
