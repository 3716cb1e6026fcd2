// A named query for people: its parameters as a form, its rows as a table, links for dashboards.
import { app, config, h, setItems, showError, viewHref } from "../common.js";

const cfg = config();
const q = new URLSearchParams(location.search);
const root = app();
if (cfg.missing) {
  root.replaceChildren(h("h1", {}, "Unknown query"), h("p", {}, `There is no named query ${cfg.name}; see `, h("a", { href: "/api/queries" }, "/api/queries"), "."));
} else {
  const rest = `/api/queries/${cfg.name}`;
  const inputs = cfg.params.map((p) => h("label", { title: p.description }, p.name + (p.required ? " *" : ""),
    h("input", { type: p.type === "xsd:date" ? "date" : "text", name: p.name, value: q.get(p.name) || (p.default === "today" ? "" : p.default || ""), placeholder: p.description.slice(0, 40) })));
  const asOf = h("label", {}, "as of", h("input", { type: "date", name: "asOf", value: q.get("asOf") || "" }));
  const form = h("form", { class: "controls", method: "get", action: rest }, inputs, asOf, h("button", { type: "submit" }, "Run"));
  const out = h("div", { id: "rows", "data-items": "0" });
  const params = new URLSearchParams([...q].filter(([, v]) => v));
  const links = h("p", { class: "sub" }, "This query for dashboards: ",
    h("a", { href: `${rest}?${params}&format=json`.replace("?&", "?") }, "JSON rows"), " · ",
    h("a", { href: `${rest}?${params}&format=csv`.replace("?&", "?") }, "CSV"), " · ",
    h("a", { href: `${rest}?${params}&format=srj`.replace("?&", "?") }, "SPARQL JSON"), " · ",
    h("a", { href: "/docs" }, "OpenAPI"));
  root.replaceChildren(h("h1", {}, cfg.summary), h("p", { class: "sub" }, cfg.description), form, links, out);
  const missing = cfg.params.filter((p) => p.required && !q.get(p.name));
  if (missing.length) {
    out.replaceChildren(h("p", { class: "muted" }, `Give ${missing.map((p) => p.name).join(", ")} and run.`));
    setItems(out, 0);
  } else {
    fetch(`${rest}?${params}`, { headers: { Accept: "application/json" } }).then(async (res) => {
      const body = await res.json();
      if (!res.ok) throw new Error(body.detail || res.statusText);
      const cell = (v) => (typeof v === "string" && /^https?:\/\//.test(v) ? h("a", { href: viewHref(v) }, v.split("/").pop()) : String(v ?? ""));
      out.replaceChildren(h("p", { class: "muted" }, `${body.rows.length} rows`), h("div", { class: "scroll" }, h("table", { class: "data" },
        h("thead", {}, h("tr", {}, body.columns.map((c) => h("th", {}, c)))),
        h("tbody", {}, body.rows.map((r) => h("tr", {}, body.columns.map((c) => h("td", {}, cell(r[c])))))))));
      setItems(out, body.rows.length);
    }).catch((err) => { showError(out, err); setItems(out, 0); });
  }
}
