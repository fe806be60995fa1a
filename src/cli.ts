/**
 * `npm run build` and `npm start`.
 *
 *   build [--strict] [--verbose] [--out DIR]
 *       One build into a fresh folder `DIR.tmp-<pid>`, search index included; DIR is
 *       replaced (rename) only when all of it succeeded, so a failed or killed build
 *       leaves the previous site as it was. Work is skipped where inputs did not change:
 *       parsed sources and each note's name matches come from .cache/, pages whose inputs are
 *       unchanged are hard-linked from the previous DIR instead of rendered (see
 *       src/site/render-plan.ts), and so are search shards whose notes did not change.
 *       With nothing changed at all, the previous site is re-published as it is.
 *   serve [--out DIR]
 *       Build into DIR (_site), serve it on PORT (8080, loopback) with live reload. Adding,
 *       changing, renaming or deleting a file in seeds/ rebuilds what it touches (see
 *       src/serve.ts), then re-indexes search.
 *
 * The stages are in src/build.ts; the settings in src/context.ts.
 */
import { runBuild } from "./build.ts";
import { readContext } from "./context.ts";
import { serve } from "./serve.ts";

const [command = "build", ...rest] = process.argv.slice(2);
if (command === "build") process.exitCode = (await runBuild(readContext(rest))).ok ? 0 : 1;
else if (command === "serve") await serve(readContext(rest));
else {
  console.error(`usage: tsx src/cli.ts build [--strict] [--verbose] [--out DIR] | serve [--out DIR]`);
  process.exitCode = 2;
}
