// drizzle-kit settings: where the schema lives and where generated migrations are committed.
// drizzle-kit is not a dependency (npm run db:generate fetches the pinned version when a maintainer
// changes the schema), so this is a plain object rather than its defineConfig().
export default {
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations'
}
