/**
 * The baseline: a minimal plain Eleventy 3 project over the same notes, as anyone
 * would write it: each note a markdown file with its front-matter (Eleventy `tags`,
 * plus people and companies), one layout, one page per tag (pagination over the
 * collections), per person and per company (pagination over collections built in
 * the config), a home page; then the Pagefind CLI over the output. No caches, no
 * Chinese-specific slugs beyond what makes the pages distinct.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import type { CorpusNote } from "./corpus.ts";

const CONFIG = `const slug = (s) => String(s).toLowerCase().replace(/[^\\p{L}\\p{N}]+/gu, "-").replace(/^-+|-+$/g, "") || "x";
export default function (cfg) {
  cfg.addFilter("kbslug", slug);
  const group = (api, field) => {
    const map = new Map();
    for (const n of api.getFilteredByTag("notes")) {
      for (const name of n.data[field] ?? []) {
        const key = slug(name);
        if (!map.has(key)) map.set(key, { name, slug: key, notes: [] });
        map.get(key).notes.push(n);
      }
    }
    return [...map.values()];
  };
  cfg.addCollection("people", (api) => group(api, "people"));
  cfg.addCollection("companies", (api) => group(api, "companies"));
}
export const config = { dir: { input: "src", includes: "_includes", output: "_site" }, markdownTemplateEngine: false, htmlTemplateEngine: "njk" };
`;

const LAYOUT = `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<nav><a href="/">首页</a></nav>
<main data-pagefind-body>
<h1>{{ title }}</h1>
{% if date %}<p><time>{{ page.date.toISOString().slice(0, 10) }}</time></p>{% endif %}
{{ content | safe }}
</main>
<footer>
{% for t in tags %}{% if t != "notes" %}<a href="/tags/{{ t | kbslug }}/">{{ t }}</a> {% endif %}{% endfor %}
{% for p in people %}<a href="/people/{{ p | kbslug }}/">{{ p }}</a> {% endfor %}
{% for c in companies %}<a href="/companies/{{ c | kbslug }}/">{{ c }}</a> {% endfor %}
</footer>
</body>
</html>
`;

const LIST = (title: string) => `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>${title}</title></head>
<body>
<h1>${title}</h1>
<ul>
{%- for n in list %}
  <li><a href="{{ n.url }}">{{ n.data.title }}</a> <time>{{ n.date.toISOString().slice(0, 10) }}</time></li>
{%- endfor %}
</ul>
</body>
</html>
`;

function template(frontMatter: Record<string, unknown>, body: string): string {
  return `---\n${yaml.dump(frontMatter, { lineWidth: -1 })}---\n${body}`;
}

/** Write the baseline project for `notes` into `dir` (emptied first). */
export function writeBaseline(dir: string, notes: CorpusNote[], nodeModules: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "src", "notes"), { recursive: true });
  mkdirSync(join(dir, "src", "_includes"), { recursive: true });
  symlinkSync(nodeModules, join(dir, "node_modules"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "kb-baseline", private: true, type: "module" }));
  writeFileSync(join(dir, "eleventy.config.js"), CONFIG);
  writeFileSync(join(dir, "src", "_includes", "note.njk"), LAYOUT);
  writeFileSync(join(dir, "src", "notes", "notes.json"), JSON.stringify({ layout: "note.njk", tags: ["notes"] }));
  for (const n of notes) {
    const fm = { title: n.title, date: n.date, permalink: `/notes/${n.file.replace(/\.md$/, "")}/`, tags: n.tags, people: n.people, companies: n.companies };
    writeFileSync(join(dir, "src", "notes", n.file), template(fm, `\n${n.summary}\n\n${n.body}`));
  }
  writeFileSync(join(dir, "src", "tags.njk"), template({
    pagination: { data: "collections", size: 1, alias: "tag", filter: ["all", "notes", "people", "companies"] },
    permalink: "/tags/{{ tag | kbslug }}/",
  }, LIST("{{ tag }}").replace("{%- for n in list %}", "{%- for n in collections[tag] %}")));
  for (const [name, coll] of [["people", "people"], ["companies", "companies"]] as const) {
    writeFileSync(join(dir, "src", `${name}.njk`), template({
      pagination: { data: `collections.${coll}`, size: 1, alias: "entry" },
      permalink: `/${name}/{{ entry.slug }}/`,
    }, LIST("{{ entry.name }}").replace("{%- for n in list %}", "{%- for n in entry.notes %}")));
  }
  writeFileSync(join(dir, "src", "index.njk"), template({ permalink: "/" }, LIST("首页").replace("{%- for n in list %}", "{%- for n in collections.notes | reverse | batch(50) | first %}")));
}
