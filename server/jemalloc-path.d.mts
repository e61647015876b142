// Types of jemalloc-path.mjs (plain JavaScript: npm start runs it before any TypeScript loader).
export declare const JEMALLOC_CANDIDATES: readonly string[];
export declare function jemallocPath(): string | undefined;
export declare function ldPreload(current?: string): string;
