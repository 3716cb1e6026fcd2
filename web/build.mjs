// Builds web/dist from web/src and the npm packages pinned by package-lock.json.
// Run by `make web` (part of `make serve` and `make test`); dist/ is not in git.
import { build } from "esbuild";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const dist = join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const pages = readdirSync(join(here, "src/pages")).filter((f) => f.endsWith(".js"));
await build({
  entryPoints: pages.map((f) => join(here, "src/pages", f)),
  outdir: dist,
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  legalComments: "external",
  loader: { ".woff": "dataurl", ".woff2": "dataurl", ".ttf": "dataurl", ".svg": "dataurl",
            ".png": "dataurl", ".gif": "dataurl" },
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});

// The bundled basemap (Natural Earth, public domain, via world-atlas) and the favicon.
cpSync(join(here, "node_modules/world-atlas/countries-110m.json"), join(dist, "countries-110m.json"));
cpSync(join(here, "src/favicon.svg"), join(dist, "favicon.svg"));
mkdirSync(join(dist, "vendor"), { recursive: true });
// Redoc's sidebar shows a logo from its CDN, unconditionally: point it at our own icon.
const redoc = readFileSync(join(here, "node_modules/redoc/bundles/redoc.standalone.js"), "utf8");
writeFileSync(join(dist, "vendor/redoc.standalone.js"),
  redoc.replaceAll("https://cdn.redoc.ly/redoc/logo-mini.svg", "/ui/static/favicon.svg"));

// A size report (bytes per file), also read by docs/workbench.md.
const sizes = {};
const walk = (dir, prefix = "") => {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, prefix + f + "/");
    else sizes[prefix + f] = statSync(p).size;
  }
};
walk(dist);
writeFileSync(join(dist, "sizes.json"), JSON.stringify(sizes, null, 1));
writeFileSync(join(dist, ".built"), new Date().toISOString() + "\n");
