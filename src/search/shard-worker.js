// @ts-check
/**
 * One search shard, indexed in a worker thread: the thread's own Pagefind service (the
 * Node API runs one service per module instance, and one service indexes on about one
 * core), so `indexSite` can index shards side by side. Each job gets a fresh service,
 * closed afterwards so its memory is returned before the next shard.
 *
 * Plain JavaScript because a worker thread does not inherit the TypeScript loader the
 * build runs under. main → worker: a ShardJob; worker → main: a ShardDone.
 */
import { parentPort } from "node:worker_threads";
import * as pagefind from "pagefind";

/** @typedef {{ docs: Array<{ url: string; html: string }>; outputPath: string }} ShardJob */
/** @typedef {{ ok: true } | { ok: false; error: string }} ShardDone */

/** @param {ShardJob} job */
async function writeShard({ docs, outputPath }) {
  const { index, errors } = await pagefind.createIndex({ forceLanguage: "en" });
  if (!index) throw new Error(`pagefind: could not create an index: ${errors.join("; ")}`);
  try {
    for (let i = 0; i < docs.length; i += 64) {
      const batch = await Promise.all(docs.slice(i, i + 64).map((doc) => index.addHTMLFile({ url: doc.url, content: doc.html })));
      const failed = batch.find((r) => r.errors.length);
      if (failed) throw new Error(`pagefind: ${failed.errors.join("; ")}`);
    }
    const written = await index.writeFiles({ outputPath });
    if (written.errors.length) throw new Error(`pagefind: ${written.errors.join("; ")}`);
  } finally {
    await pagefind.close();
  }
}

const port = parentPort;
if (!port) throw new Error("shard-worker.js runs in a worker thread (see ShardPool in pagefind.ts)");
port.on("message", (/** @type {ShardJob} */ job) => {
  writeShard(job).then(
    () => port.postMessage(/** @type {ShardDone} */ ({ ok: true })),
    (err) => port.postMessage(/** @type {ShardDone} */ ({ ok: false, error: err instanceof Error ? err.message : String(err) })),
  );
});
