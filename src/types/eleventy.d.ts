// Eleventy 3 ships no TypeScript declarations; these cover the parts this project uses.
declare module "@11ty/eleventy" {
  export interface EleventyOptions {
    configPath?: string;
    quietMode?: boolean;
    runMode?: "build" | "serve" | "watch";
    pathPrefix?: string;
    config?: (eleventyConfig: unknown) => void;
  }
  export default class Eleventy {
    constructor(input?: string, output?: string, options?: EleventyOptions);
    write(): Promise<unknown>;
  }
  export const HtmlBasePlugin: unknown;
}
declare module "@11ty/eleventy-plugin-rss" {
  const rssPlugin: unknown;
  export default rssPlugin;
}
