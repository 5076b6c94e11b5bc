// Lint, including the architecture (STYLE.md "Direction"): HTTP → services → repositories/views → knex, reports
// see plain data only, and the scoring/workflow core imports neither the database nor HTTP. A forbidden import
// between layers is a lint error, so the rule holds without anyone having to remember it.
// Not type-checked on purpose: `npm run lint` stays fast; `npm run typecheck` does the type work.
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Database drivers and the query builder: only repositories, views, migrations and server/db touch them. */
const DATABASE = {
  regex: '^(knex|knex-pglite|pg|@electric-sql/pglite)(/.*)?$',
  message: 'Only repositories, views, migrations and server/db may use the database.',
};
const EXPRESS = {
  regex: '^express(/.*)?$',
  message: 'HTTP stays in *.routes.ts / server/http; services and the pure core never see req/res.',
};
const DB_MODULE = { regex: '^\\.{1,2}/(.*/)?db/', message: 'server/db is for repositories and views only.' };
const REPOSITORY = {
  regex: '^\\.{1,2}/(.*/)?[^/]+\\.repository(\\.[jt]s)?$',
  message: 'Repositories are called by their own module\'s service only.',
};
const VIEW = { regex: '^\\.{1,2}/(.*/)?[^/]+\\.view(\\.[jt]s)?$', message: 'Views run SQL; this layer takes plain data.' };
const SERVICE = {
  regex: '^\\.{1,2}/(.*/)?[^/]+\\.service(\\.[jt]s)?$',
  message: 'This layer is called by services, never the other way round.',
};
const CONTAINER = {
  regex: '^\\.{1,2}/(.*/)?container(\\.[jt]s)?$',
  message: 'The service container wires the database; this layer takes plain data.',
};
const HTTP_MODULE = { regex: '^\\.{1,2}/(.*/)?http/', message: 'HTTP stays in *.routes.ts and server/http.' };

/** The pure core: scoring, ranking, the workflow state machine, validation, the calendar and framework definitions. */
const PURE_CORE = [
  'server/scoring/score.ts',
  'server/scoring/rank.ts',
  'server/scoring/compute.ts',
  'server/scoring/scoring.types.ts',
  'server/scoring/composite.ts',
  'server/scoring/annual-value.ts',
  'server/rankings/explain.ts',
  'server/scoring/run-diff.ts',
  'server/appeals/appeal-rules.ts',
  'server/reminders/reminder-plan.ts',
  'server/submissions/workflow.ts',
  'server/submissions/value-validation.ts',
  'server/periods/period-calendar.ts',
  'server/periods/working-days.ts',
  'server/dashboard/completeness.ts',
  'server/frameworks/framework.types.ts',
  'server/frameworks/framework.loader.ts',
];

const restrict = (...patterns) => ['error', { patterns }];

export default defineConfig(
  globalIgnores(['node_modules/', 'data/', 'bench/out/', 'test-results/', 'coverage/']),

  tseslint.configs.recommended,

  {
    name: 'dti/all',
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      'prefer-const': 'error',
      eqeqeq: ['error', 'smart'],
      'no-var': 'error',
    },
  },

  {
    name: 'dti/browser-scripts',
    files: ['public/js/**/*.js'],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: 'script',
      globals: { ...globals.browser, Chart: 'readonly' },
    },
    rules: {
      // Served as-is to old browsers in provincial offices: no build step, so `var` and IIFEs are the style.
      'no-var': 'off',
      'no-undef': 'error',
    },
  },

  {
    name: 'dti/tests',
    files: ['test/**/*.ts'],
    languageOptions: { globals: { ...globals.mocha } },
    rules: {
      // chai's property assertions (`expect(x).to.be.true`) are expressions by design.
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },

  {
    name: 'dti/architecture/reports',
    files: ['reports/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(DATABASE, EXPRESS, DB_MODULE, REPOSITORY, VIEW, SERVICE, CONTAINER, HTTP_MODULE),
    },
  },
  {
    name: 'dti/architecture/pure-core',
    files: PURE_CORE,
    rules: {
      'no-restricted-imports': restrict(DATABASE, EXPRESS, DB_MODULE, REPOSITORY, VIEW, SERVICE, CONTAINER, HTTP_MODULE),
    },
  },
  {
    name: 'dti/architecture/services',
    files: ['server/**/*.service.ts'],
    rules: {
      'no-restricted-imports': restrict(EXPRESS, HTTP_MODULE, {
        regex: '^\\.{1,2}/(.*/)?[^/]+\\.(routes|controller)(\\.[jt]s)?$',
        message: 'Services never call HTTP handlers.',
      }),
    },
  },
  {
    name: 'dti/architecture/routes',
    files: ['server/**/*.routes.ts', 'server/**/*.controller.ts'],
    rules: {
      'no-restricted-imports': restrict(DATABASE, DB_MODULE, {
        ...REPOSITORY,
        message: 'Routes call services (or a view for a read-only screen), never a repository.',
      }),
    },
  },
  {
    // The readiness probe asks server/db whether the migrations are current: infrastructure, not a business read.
    name: 'dti/architecture/health-probe',
    files: ['server/http/health.routes.ts'],
    rules: {
      'no-restricted-imports': restrict(DATABASE, REPOSITORY),
    },
  },
);
