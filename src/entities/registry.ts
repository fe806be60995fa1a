/**
 * The reviewed entity registry (`src/entities/registry.yaml`): canonical names,
 * types and aliases of the people, companies and products this site links.
 * Validated at load time; an alias claimed by two entities is an error that names both.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { z } from "zod";
import { foldName, shortHash } from "../text.ts";

export const REGISTRY_PATH = fileURLToPath(new URL("./registry.yaml", import.meta.url));

export const ENTITY_TYPES = ["person", "company", "product", "tag"] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/**
 * Everything the site says about each entity type, in one place: the URL folder, the
 * directory's name, the short name of the tabs, chips and search filters, the note's
 * list that holds them, what a note "lists" them in, and how much sharing one says
 * about two notes being related (people and companies over products and tags).
 */
export const TYPE_INFO = {
  person: { path: "people", label: "人物", short: "人物", list: "people", listedIn: "笔记信息中列出", relatedWeight: 1.6 },
  company: { path: "companies", label: "公司与机构", short: "公司", list: "companies", listedIn: "笔记信息中列出", relatedWeight: 1.2 },
  product: { path: "products", label: "产品与模型", short: "产品", list: "products", listedIn: "笔记信息中列出", relatedWeight: 0.6 },
  tag: { path: "tags", label: "标签", short: "标签", list: "tags", listedIn: "标签中列出", relatedWeight: 0.8 },
} as const satisfies Record<EntityType, { path: string; label: string; short: string; list: "people" | "companies" | "products" | "tags"; listedIn: string; relatedWeight: number }>;

export const RegistryEntry = z.object({
  /** `tag` entries only give a tag its Chinese name (`zh`); they are never matched in text. */
  type: z.enum(["person", "company", "product", "tag"]),
  name: z.coerce.string().min(1),
  aliases: z.array(z.coerce.string().min(1)).default([]),
  /** `exact`: Latin aliases match only with this capitalisation (names that are also English words). */
  case: z.literal("exact").optional(),
  /** Aliases that are also ordinary words (苹果): like `case: exact` names, they need evidence in the note. */
  common: z.array(z.coerce.string().min(1)).default([]),
  /** Phrases that contain an alias and mean something else (高通滤波 is a high-pass filter): never a mention. */
  not: z.array(z.coerce.string().min(1)).default([]),
  /** Words that, in the same note, show an ambiguous alias means this entity (Cursor: 编辑器, IDE). */
  context: z.array(z.coerce.string().min(1)).default([]),
  /** The name Chinese readers know (黄仁勋): shown first. Without it, the first simplified Han alias is. */
  zh: z.coerce.string().min(1).optional(),
  /** One line on who or what this is (英伟达创始人兼 CEO). */
  role: z.coerce.string().min(1).optional(),
  /** Aliases that are searched and matched but never shown (slurs, nicknames, misspellings). */
  hidden: z.array(z.coerce.string().min(1)).default([]),
});
export type RegistryEntry = z.infer<typeof RegistryEntry>;
export const Registry = z.array(RegistryEntry);
export type Registry = z.infer<typeof Registry>;

export interface LoadedRegistry {
  entries: Registry;
  /** Changes whenever the file changes: part of the parse cache key. */
  hash: string;
}

export { foldName };

export function parseRegistry(text: string, file = REGISTRY_PATH): Registry {
  const result = Registry.safeParse(yaml.load(text));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${file}: entry ${String(issue.path[0] ?? "?")}: \`${issue.path.slice(1).join(".")}\` ${issue.message}`);
  }
  const owner = new Map<string, string>();
  for (const entry of result.data) {
    if (entry.type === "tag") continue;
    for (const alias of new Set([entry.name, ...entry.aliases].map(foldName))) {
      const other = owner.get(alias);
      if (other !== undefined) throw new Error(`${file}: alias "${alias}" belongs to both "${other}" and "${entry.name}"; an alias may name one entity only`);
      owner.set(alias, entry.name);
    }
  }
  return result.data;
}

export function loadRegistry(file = REGISTRY_PATH): LoadedRegistry {
  const text = readFileSync(file, "utf8");
  return { entries: parseRegistry(text, file), hash: shortHash(text, 16) };
}
