import { UsageError } from '../args';
import { CliContext } from '../cli-context';

export const MIGRATIONS_HELP = `sogs migrations status   (exit code 5 when migrations are pending)
sogs migrations run`;

/** Exit code of `migrations status` when the schema is behind, as operators of the reference expect. */
export const EXIT_MIGRATIONS_PENDING = 5;

export async function migrationsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  switch (action) {
    case 'status': {
      const pending = await ctx.migrator.pending();
      if (!pending.length) {
        ctx.out('The database schema is up to date.');
        return 0;
      }
      ctx.out(`${pending.length} migration(s) pending:`);
      for (const name of pending) ctx.out(`  ${name}`);
      return EXIT_MIGRATIONS_PENDING;
    }
    case 'run': {
      const applied = await ctx.migrator.run();
      ctx.out(applied.length ? `Applied ${applied.join(', ')}` : 'Nothing to apply; the schema is up to date.');
      return 0;
    }
    default:
      throw new UsageError(`unknown migrations action "${action ?? ''}"; one of status, run`);
  }
}
