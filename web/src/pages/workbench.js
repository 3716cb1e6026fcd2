// `/` — the SPARQL workbench: YASGUI against this endpoint, the named queries as ready tabs,
// an "as of" date and an "asserted only / with inferences" switch mapped to the endpoint's own
// asOf and inference parameters, result IRIs linking to the views.
import Yasgui from "@zazuko/yasgui";
import "@zazuko/yasgui/build/yasgui.min.css";
import { app, config, debounce, getJSON, h, setItems, shortIri, viewHref } from "../common.js";
import "./workbench.css";

const cfg = config();
const endpoint = new URL(cfg.endpoint || "/sparql", location.origin).href;
const prologue = Object.entries(cfg.prefixes).map(([p, iri]) => `PREFIX ${p}: <${iri}>`).join("\n");
const DEFAULT_QUERY = `${prologue}

# Members of NATO, with their names (set "as of" to ask about another day)
SELECT ?member ?name WHERE {
  ?member mil:memberOf org:NATO ; rdfs:label ?name .
  FILTER(LANG(?name) = "en")
}
ORDER BY ?name`;

// Only completers that need nothing from outside: the class and property completers ask a
// public vocabulary service, which an offline deployment cannot (and should not) reach.
Yasgui.Yasqe.defaults.autocompleters.splice(0, Infinity, "prefixes", "variables");
Yasgui.Yasqe.defaults.value = DEFAULT_QUERY;
Yasgui.Yasqe.defaults.collapsePrefixesOnLoad = true;
// IRIs in results open the matching view (a nation's timeline, else a DESCRIBE), in this window.
const Table = Yasgui.Yasr.plugins.table;
Table.defaults.openIriInNewWindow = false;
Table.prototype.getUriLinkFromBinding = function (binding, prefixes) {
  const iri = binding.value;
  let text = iri;
  for (const [p, ns] of Object.entries(prefixes || {})) if (iri.startsWith(ns)) { text = `${p}:${iri.slice(ns.length)}`; break; }
  const a = document.createElement("a");
  a.className = "iri";
  a.href = viewHref(iri);
  a.title = iri;
  a.textContent = text === iri ? `<${shortIri(iri)}>` : text;
  return a.outerHTML;
};

// ------------------------------------------------------------------ layout
const asOf = h("input", { type: "date", id: "as-of", "aria-label": "as of", min: "1816-01-01" });
const clearAsOf = h("button", { type: "button", class: "secondary", title: "current view" }, "now");
const inference = h("select", { id: "inference", "aria-label": "inferences" },
  h("option", { value: "true" }, "with inferences"), h("option", { value: "false" }, "asserted only"));
const csv = h("a", { class: "button secondary", id: "csv-link", href: "#", download: "results.csv" }, "CSV");
const share = h("button", { type: "button", class: "secondary", id: "share-button" }, "Share link");
const shareOut = h("input", { type: "text", id: "share-link", readonly: "", "aria-label": "share link", class: "share-out", hidden: "" });
const rowsInfo = h("span", { class: "muted", id: "row-count" });
const controls = h("div", { class: "controls" },
  h("label", { title: "answer from the graph as it stood on this day (asOf)" }, "As of", asOf), clearAsOf,
  h("label", { title: "asserted only = inference=false" }, "Triples", inference), csv, share, rowsInfo, shareOut);
// ------------------------------------------------------------------ find by name (/api/search)
const findInput = h("input", { type: "search", id: "find", placeholder: "Malabar, Vienna Document, NATO…",
  "aria-label": "find by name", autocomplete: "off", maxlength: "200" });
const findType = h("select", { id: "find-type", "aria-label": "type" }, h("option", { value: "" }, "any type"),
  ...["exercise", "agreement", "organization", "nation", "measure", "training"].map((t) => h("option", { value: t }, t)));
const findResults = h("ol", { class: "find-results", id: "find-results" });
const findBox = h("section", { class: "find", id: "find-box" }, h("h2", {}, "Find by name"),
  h("div", { class: "row" }, findInput, findType), findResults);
function dates(d) {
  const start = d.startDate || d.foundingDate, end = d.endDate || d.dissolutionDate || d.terminationDate;
  if (start || end) return `${start || "…"} – ${end || ""}`;
  return d.signatureDate ? `signed ${d.signatureDate}` : d.entryIntoForceDate ? `in force ${d.entryIntoForceDate}` : "";
}
async function find() {
  const q = findInput.value.trim();
  if (!q) { findResults.replaceChildren(); setItems(findBox, 0); return; }
  findBox.dataset.ready = "false";
  try {
    const body = await getJSON("/api/search", { q, type: findType.value, limit: 8 });
    if (findInput.value.trim() !== q) return; // a newer search is on its way
    findResults.replaceChildren(...body.results.map((r) => {
      const insert = h("button", { type: "button", class: "secondary small", title: `insert <${r.iri}> into the query` }, "insert");
      insert.addEventListener("click", () => {
        const yasqe = yasgui.getTab().getYasqe();
        const at = yasqe.getCursor("from");
        const before = yasqe.getRange({ line: at.line, ch: Math.max(0, at.ch - 1) }, at);
        yasqe.replaceSelection(`${before && !/[\s({]/.test(before) ? " " : ""}<${r.iri}>`);
        yasqe.focus();
      });
      return h("li", {}, h("a", { href: viewHref(r.iri), title: r.iri }, r.label), " ",
        h("span", { class: "muted small" }, [r.class || r.type, dates(r.dates)].filter(Boolean).join(", ")), " ", insert);
    }));
    if (!body.results.length) findResults.replaceChildren(h("li", { class: "muted small" }, `nothing named like “${q}”`));
    setItems(findBox, body.results.length);
  } catch (e) {
    findResults.replaceChildren(h("li", { class: "error small" }, e.message));
    setItems(findBox, 0);
  }
}
const findSoon = debounce(find, 150);
findInput.addEventListener("input", findSoon);
findType.addEventListener("change", find);

const examples = h("aside", { class: "examples card", id: "named-queries" }, findBox, h("h2", {}, "Named queries"),
  h("p", { class: "muted small" }, "Open one as a tab with its parameters; the same query is a REST URL for dashboards."));
const yasguiBox = h("div", { id: "yasgui" });
app().replaceChildren(h("div", { class: "workbench" }, h("div", { class: "wb-main" }, controls, yasguiBox), examples));

const yasgui = new Yasgui(yasguiBox, {
  requestConfig: { endpoint, method: "GET", acceptHeaderSelect: "application/sparql-results+json", acceptHeaderGraph: "text/turtle" },
  copyEndpointOnNewTab: false,
  endpointCatalogueOptions: { getData: () => [{ endpoint }] },
  persistenceId: "milgraph-workbench",
  yasr: { prefixes: cfg.prefixes, defaultPlugin: "table" },
  populateFromUrl: true,
});
window.milgraphYasgui = yasgui;

// ------------------------------------------------------------------ asOf / inference <-> args
function argsOf(tab) {
  const args = tab.getRequestConfig().args;
  const list = Array.isArray(args) ? args : [];
  return Object.fromEntries(list.map((a) => [a.name, a.value]));
}
function syncControls(tab) {
  const args = argsOf(tab);
  asOf.value = args.asOf || "";
  inference.value = args.inference === "false" ? "false" : "true";
  asOf.disabled = inference.value === "false";
  updateLinks();
}
function applyControls() {
  const tab = yasgui.getTab();
  const keep = (tab.getRequestConfig().args || []).filter((a) => a.name !== "asOf" && a.name !== "inference");
  if (inference.value === "false") keep.push({ name: "inference", value: "false" });
  else if (asOf.value) keep.push({ name: "asOf", value: asOf.value });
  tab.setRequestConfig({ endpoint, args: keep });
  asOf.disabled = inference.value === "false";
  updateLinks();
}
function currentParams(extra = {}) {
  const tab = yasgui.getTab();
  const p = new URLSearchParams({ query: tab.getQuery() });
  for (const [k, v] of Object.entries(argsOf(tab))) p.set(k, v);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p;
}
function updateLinks() {
  const tab = yasgui.getTab();
  if (!tab || !tab.yasqe) return;
  csv.href = `/sparql?${currentParams({ format: "csv" })}`;
}
asOf.addEventListener("change", applyControls);
inference.addEventListener("change", applyControls);
clearAsOf.addEventListener("click", () => { asOf.value = ""; applyControls(); });
share.addEventListener("click", async () => {
  const link = yasgui.getTab().getShareableLink();
  shareOut.hidden = false;
  shareOut.value = link;
  shareOut.select();
  try { await navigator.clipboard.writeText(link); share.textContent = "Link copied"; } catch { share.textContent = "Share link"; }
});

function counted(tab) {
  const results = tab && tab.yasr && tab.yasr.results;
  if (!results || results.hasError()) { rowsInfo.textContent = results ? "error" : ""; setItems(yasguiBox, 0); return; }
  if (results.getType() === "boolean") { rowsInfo.textContent = `answer: ${results.getBoolean()}`; setItems(yasguiBox, 1); return; }
  const bindings = results.getBindings ? results.getBindings() : null;
  const n = bindings ? bindings.length : 0;
  rowsInfo.textContent = `${n} rows`;
  setItems(yasguiBox, n);
}
// The tab announces a response before its result view has read it: count just after.
yasgui.on("queryResponse", (_y, tab) => setTimeout(() => counted(tab), 0));
yasgui.on("query", () => { yasguiBox.dataset.ready = "false"; });
yasgui.on("tabSelect", (_y, id) => setTimeout(() => { const tab = yasgui.getTab(id); if (tab) syncControls(tab); }, 0));
yasgui.on("tabChange", () => updateLinks());
syncControls(yasgui.getTab());
setItems(yasguiBox, 0);
yasguiBox.dataset.ready = "false";
if (cfg.autorun) yasgui.getTab().query().catch(() => {});
else yasguiBox.dataset.ready = "true";

// ------------------------------------------------------------------ named queries
for (const nq of cfg.queries || []) {
  const inputs = nq.params.map((p) => h("label", { title: p.description }, p.name,
    h("input", { type: p.type === "xsd:date" ? "date" : "text", name: p.name, value: p.example || "", size: 10, "data-param": p.name })));
  const err = h("div", { class: "error small", hidden: "" });
  const open = h("button", { type: "button", "data-query": nq.name }, "Open as tab");
  const rest = h("a", { href: `/api/queries/${nq.name}`, class: "small" }, "REST");
  const values = () => Object.fromEntries(inputs.map((l) => { const i = l.querySelector("input"); return [i.name, i.value]; }));
  const refreshRest = () => {
    const p = new URLSearchParams(Object.entries(values()).filter(([, v]) => v));
    rest.href = `/api/queries/${nq.name}${p.toString() ? "?" + p : ""}`;
  };
  inputs.forEach((l) => l.querySelector("input").addEventListener("input", refreshRest));
  refreshRest();
  open.addEventListener("click", async () => {
    err.hidden = true;
    try {
      const body = await getJSON(`/api/views/queries/${nq.name}/sparql`, values());
      const tab = yasgui.addTab(true, { name: nq.name, yasqe: { value: body.sparql }, requestConfig: { endpoint, args: [] } });
      syncControls(tab);
      applyControls();
      tab.query().catch(() => {});
    } catch (e) { err.textContent = e.message; err.hidden = false; }
  });
  examples.append(h("details", { class: "nq" }, h("summary", {}, h("b", {}, nq.name), h("br"), h("span", { class: "small" }, nq.summary)),
    h("p", { class: "small muted" }, nq.description), h("div", { class: "params" }, inputs), h("div", { class: "row" }, open, " ", rest, " ",
      h("a", { href: `/ui/query/${nq.name}`, class: "small" }, "page")), err));
}
