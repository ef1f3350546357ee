// Typed GraphQL operations from the server's schema (../graph/*.graphqls) and the
// operations in src/operations/*.graphql. Output: src/gql/graphql.ts (not committed;
// `npm run build` and `npm test` generate it first).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../graph/*.graphqls',
  documents: 'src/operations/*.graphql',
  overwrite: true,
  silent: true,
  generates: {
    'src/gql/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        // Operations travel as plain strings: smaller than a parsed AST, no graphql-js at run time.
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: false,
        skipTypename: true,
        scalars: { DateTime: 'string', Date: 'string', ID: 'string' },
      },
    },
  },
};
export default config;
