/** Debian's Chromium, headless, through playwright-core (no browser download). */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { chromium, type Browser } from "playwright-core";
import { type BuiltSite, serveStatic } from "./site.ts";

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.KB_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export interface SiteSession { browser: Browser; url: string }

/**
 * Call inside a `describe`: serves the built `site` and starts Chromium before its
 * tests, closes both after. The returned object is filled in by then.
 */
export function openSite(site: BuiltSite): SiteSession {
  const session = {} as SiteSession;
  let server: Awaited<ReturnType<typeof serveStatic>> | undefined;
  before(async () => {
    assert.equal(site.status, 0, site.stdout);
    server = await serveStatic(site.dir);
    session.url = server.url;
    session.browser = await launch();
  });
  after(async () => {
    await session.browser?.close();
    await server?.close();
  });
  return session;
}
