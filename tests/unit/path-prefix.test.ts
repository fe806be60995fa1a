/** URL-valued data attributes follow Eleventy's pathPrefix like href/src do. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { normalizePrefix, prefixDataUrls } from "../../src/site/path-prefix.ts";

describe("path prefix for data-* URLs", () => {
  it("normalizes prefixes", () => {
    assert.equal(normalizePrefix(undefined), "/");
    assert.equal(normalizePrefix("/"), "/");
    assert.equal(normalizePrefix("kb"), "/kb/");
    assert.equal(normalizePrefix("/kb"), "/kb/");
    assert.equal(normalizePrefix("/docs/kb/"), "/docs/kb/");
  });

  it("prefixes root-relative data-bundle values once", () => {
    const html = `<div id="search" data-bundle="/pagefind/"></div>`;
    assert.equal(prefixDataUrls(html, "/kb/"), `<div id="search" data-bundle="/kb/pagefind/"></div>`);
    assert.equal(prefixDataUrls(prefixDataUrls(html, "/kb/"), "/kb/"), `<div id="search" data-bundle="/kb/pagefind/"></div>`);
    assert.equal(prefixDataUrls(html, "/"), html);
  });

  it("leaves other attributes, relative and protocol-relative URLs alone", () => {
    const html = `<a href="/x/" data-other="/y/"></a><div data-bundle="pagefind/"></div><div data-bundle="//cdn.example/p/"></div>`;
    assert.equal(prefixDataUrls(html, "/kb/"), html);
  });
});
