// /ui/network?asOf=DATE — nations allied on a day; the slider redraws without a reload.
import cytoscape from "cytoscape";
import { app, debounce, getJSON, h, setItems, showError, todayIso } from "../common.js";
import { drawExplanation } from "../explain-tree.js";
import "../explain-tree.css";
import "./network.css";

export const COLOURS = {
  defence: "#c0392b", offence: "#8e44ad", neutrality: "#2471a3", "non-aggression": "#1e8449",
  consultation: "#d68910", unspecified: "#7f8c8d",
};
const FIRST = Date.UTC(1816, 0, 1);
const DAY = 86400000;
const toDay = (iso) => Math.round((Date.parse(iso + "T00:00:00Z") - FIRST) / DAY);
const toIso = (n) => new Date(FIRST + n * DAY).toISOString().slice(0, 10);

const q = new URLSearchParams(location.search);
let asOf = q.get("asOf") || "1989-11-09";
const last = toDay(todayIso());

const slider = h("input", { type: "range", min: 0, max: last, step: 1, value: Math.min(toDay(asOf) || 0, last), "aria-label": "date", id: "date-slider" });
const dateInput = h("input", { type: "date", value: asOf, min: "1816-01-01", max: todayIso(), id: "date-input" });
const stats = h("span", { class: "muted", id: "network-stats" });
const legend = h("div", { class: "legend" }, Object.entries(COLOURS).map(([k, c]) => h("span", { style: `--c:${c}` }, k)));
const box = h("div", { id: "network", class: "network-canvas", "data-items": "0" });
const panel = h("aside", { class: "card side", id: "network-panel" },
  h("p", { class: "muted" }, "Click an edge to see why the two nations were allied that day; click a nation for its timeline."));
app().replaceChildren(
  h("h1", {}, "Alliance network"),
  h("div", { class: "controls" }, h("label", {}, "Date", slider), dateInput, stats),
  legend,
  h("div", { class: "network-layout" }, box, panel),
);

const cy = cytoscape({
  container: box,
  minZoom: 0.1,
  maxZoom: 4,
  style: [
    { selector: "node", style: { "background-color": "#1f3a5f", width: 12, height: 12, label: "data(code)",
      "font-size": 8, color: "#1d2430", "text-valign": "top", "text-margin-y": -2, "min-zoomed-font-size": 6 } },
    { selector: "edge", style: { "curve-style": "haystack", width: 1.4, opacity: 0.55, "line-color": "data(colour)" } },
    { selector: "edge:selected", style: { width: 4, opacity: 1 } },
    { selector: "node:selected", style: { "background-color": "#b5651d", width: 18, height: 18 } },
  ],
});
window.milgraphNetwork = { cy };

let sequence = 0;
async function load(day, { push = true } = {}) {
  const mine = ++sequence;
  stats.textContent = `loading ${day}…`;
  box.dataset.ready = "false";
  let data;
  try {
    data = await getJSON("/api/views/network", { asOf: day });
  } catch (err) {
    if (mine === sequence) { showError(panel, err); stats.textContent = ""; setItems(box, 0); }
    return;
  }
  if (mine !== sequence) return;
  asOf = day;
  if (push) history.replaceState(null, "", `?asOf=${day}`);
  draw(data);
}

function draw(data) {
  const keep = new Map(cy.nodes().map((n) => [n.id(), { ...n.position() }]));
  const added = [];
  cy.batch(() => {
    cy.elements().remove();
    cy.add(data.nodes.map((n) => {
      const pos = keep.get(n.id);
      if (!pos) added.push(n.id);
      return { group: "nodes", data: { id: n.id, code: n.code, label: n.label }, position: pos || { x: 0, y: 0 } };
    }));
    cy.add(data.edges.map((e) => ({
      group: "edges",
      data: { id: `${e.source}|${e.target}`, source: e.source, target: e.target, kind: e.kind,
        colour: COLOURS[e.kind] || COLOURS.unspecified, alliances: e.alliances.map((x) => data.alliances[x]) },
    })));
  });
  for (const id of added) {  // new nations start next to an ally already placed
    const n = cy.getElementById(id);
    const placed = n.neighborhood("node").filter((m) => keep.has(m.id()));
    const at = placed.length ? placed[0].position() : { x: (Math.random() - 0.5) * 600, y: (Math.random() - 0.5) * 400 };
    n.position({ x: at.x + (Math.random() - 0.5) * 40, y: at.y + (Math.random() - 0.5) * 40 });
  }
  const fresh = keep.size === 0;
  if (cy.nodes().length && (fresh || added.length)) {
    cy.layout({ name: "cose", animate: false, randomize: fresh, numIter: fresh ? 1200 : 300, nodeRepulsion: () => 9000,
      idealEdgeLength: () => 60, edgeElasticity: () => 80, gravity: 0.6, fit: true, padding: 20 }).run();
  } else {
    cy.fit(undefined, 20);
  }
  const n = data.nodes.length;
  const m = data.edges.length;
  stats.textContent = `${data.asOf}: ${n} nations, ${m} allied pairs`;
  box.dataset.nodes = String(n);
  box.dataset.edges = String(m);
  box.dataset.asOf = data.asOf;
  setItems(box, n + m);
}

cy.on("tap", "edge", async (evt) => {
  const e = evt.target.data();
  const a = cy.getElementById(e.source).data();
  const b = cy.getElementById(e.target).data();
  const tree = h("div", { id: "edge-explanation" }, h("p", { class: "loading" }, "Explaining…"));
  const params = { s: e.source, p: "mil:alliedWith", o: e.target, asOf };
  const full = `/ui/explain?${new URLSearchParams({ s: `<${e.source}>`, p: "mil:alliedWith", o: `<${e.target}>`, asOf })}`;
  panel.replaceChildren(
    h("h2", {}, `${a.label} — ${b.label}`),
    h("p", {}, h("span", { class: "badge" }, e.kind), ` allied on ${asOf} through `,
      e.alliances.map((al, i) => [i ? ", " : "", al.label])),
    h("p", {}, h("a", { href: full }, "Open the explanation"), " · ",
      h("a", { href: `/ui/dyad/${encodeURIComponent(a.code)}/${encodeURIComponent(b.code)}` }, "relationship profile")),
    tree,
  );
  params.s = `<${e.source}>`;
  params.o = `<${e.target}>`;
  try {
    const data = await getJSON("/api/views/explain", params);
    setItems(tree, drawExplanation(tree, data));
  } catch (err) { showError(tree, err); }
});
cy.on("tap", "node", (evt) => {
  const n = evt.target.data();
  const allies = evt.target.neighborhood("node").map((m) => m.data("label")).sort();
  panel.replaceChildren(
    h("h2", {}, n.label),
    h("p", {}, h("a", { href: `/ui/nation/${encodeURIComponent(n.code)}` }, "Timeline and indicators")),
    h("p", { class: "muted" }, `${allies.length} allies on ${asOf}: ${allies.join(", ")}`),
  );
});

const onSlide = debounce(() => { const d = toIso(Number(slider.value)); dateInput.value = d; load(d); }, 180);
slider.addEventListener("input", () => { dateInput.value = toIso(Number(slider.value)); onSlide(); });
dateInput.addEventListener("change", () => { if (dateInput.value) { slider.value = toDay(dateInput.value); load(dateInput.value); } });
load(asOf, { push: false });
