// /ui/map?year=YYYY — exercises of a year on a bundled world basemap, by nation and kind.
import { geoGraticule10, geoNaturalEarth1, geoPath } from "d3-geo";
import { feature } from "topojson-client";
import { app, getJSON, h, setItems, showError, viewHref } from "../common.js";
import "./map.css";

const SVG = "http://www.w3.org/2000/svg";
const KINDS = { land: "#8d6e3f", sea: "#1f5fa8", air: "#7b3fa0", amphibious: "#138a8a", "command-post": "#c0392b", cyber: "#d68910", space: "#34495e" };
const q = new URLSearchParams(location.search);
const thisYear = new Date().getUTCFullYear();
let year = Number(q.get("year")) || 2004;
let nation = q.get("nation") || "";
let kind = q.get("kind") || "";

const yearInput = h("input", { type: "number", min: 1, max: 9999, value: year, id: "year-input", style: "width:6rem" });
const yearSlider = h("input", { type: "range", min: 1980, max: thisYear, value: year, id: "year-slider", "aria-label": "year" });
const nationSelect = h("select", { id: "nation-filter" }, h("option", { value: "" }, "all nations"));
const kindSelect = h("select", { id: "kind-filter" }, h("option", { value: "" }, "all kinds"),
  Object.keys(KINDS).map((k) => h("option", { value: k, selected: k === kind ? "" : null }, k)));
const stats = h("span", { class: "muted", id: "map-stats" });
const svg = document.createElementNS(SVG, "svg");
svg.setAttribute("viewBox", "0 0 960 500");
svg.setAttribute("role", "img");
svg.setAttribute("aria-label", "world map of exercises");
const box = h("div", { id: "map", class: "map-box", "data-items": "0" }, svg);
const panel = h("aside", { class: "card side", id: "map-panel" }, h("p", { class: "muted" }, "Click a marker for the exercise."));
app().replaceChildren(
  h("h1", {}, "Exercises on the map"),
  h("div", { class: "controls" }, h("label", {}, "Year", yearInput, yearSlider), h("label", {}, "Nation", nationSelect),
    h("label", {}, "Kind", kindSelect), stats),
  h("div", { class: "legend dots" }, Object.entries(KINDS).map(([k, c]) => h("span", { style: `--c:${c}` }, k))),
  h("div", { class: "map-layout" }, box, panel),
);

const projection = geoNaturalEarth1().fitExtent([[8, 8], [952, 492]], { type: "Sphere" });
const path = geoPath(projection);
const layer = (cls) => { const g = document.createElementNS(SVG, "g"); g.setAttribute("class", cls); svg.append(g); return g; };
const base = layer("base");
const markers = layer("markers");
const el = (tag, attrs) => { const e = document.createElementNS(SVG, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); return e; };

async function drawBase() {
  const res = await fetch("/ui/static/countries-110m.json");
  const topo = await res.json();
  base.append(el("path", { d: path({ type: "Sphere" }), class: "sphere" }));
  base.append(el("path", { d: path(geoGraticule10()), class: "graticule" }));
  for (const f of feature(topo, topo.objects.countries).features) base.append(el("path", { d: path(f), class: "country" }));
}

let data = null;
function redraw() {
  markers.replaceChildren();
  if (!data) return;
  let drawn = 0;
  const shown = data.exercises.filter((e) =>
    (!nation || e.participants.includes(nation) || e.hosts.includes(nation)) && (!kind || e.domains.includes(kind)));
  for (const e of shown) {
    if (e.lat === null || e.long === null) continue;
    const p = projection([e.long, e.lat]);
    if (!p) continue;
    const c = el("circle", { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 4.2, fill: KINDS[e.domains[0]] || "#555", class: "marker" });
    const t = document.createElementNS(SVG, "title");
    t.textContent = `${e.label} (${e.start || "undated"})${e.location ? " — " + e.location : ""}`;
    c.append(t);
    c.addEventListener("click", () => select(e, c));
    markers.append(c);
    drawn += 1;
  }
  stats.textContent = `${year}: ${data.count} exercises, ${data.located} with coordinates; ${drawn} shown`;
  box.dataset.year = String(year);
  setItems(box, drawn);
}

function select(e, marker) {
  for (const m of markers.querySelectorAll(".selected")) m.classList.remove("selected");
  marker.classList.add("selected");
  const who = (list) => list.map((n, i) => [i ? ", " : "", h("a", { href: viewHref(n) }, data.nations[n] || n)]);
  panel.replaceChildren(
    h("h2", {}, e.label),
    h("p", {}, `${e.start || "?"}${e.end ? " – " + e.end : ""}`, e.location ? h("br") : null, e.location || ""),
    h("p", {}, e.domains.map((d) => h("span", { class: "badge" }, d)), e.purposes.map((d) => h("span", { class: "badge" }, d))),
    h("p", {}, h("b", {}, "Participants: "), e.participants.length ? who(e.participants) : "unknown"),
    e.hosts.length ? h("p", {}, h("b", {}, "Hosts: "), who(e.hosts)) : null,
    h("p", {}, h("a", { href: viewHref(e.iri) }, "All facts about this exercise")),
  );
}

async function load() {
  stats.textContent = `loading ${year}…`;
  box.dataset.ready = "false";
  try {
    data = await getJSON("/api/views/exercises", { year });
  } catch (err) {
    data = null; showError(panel, err); stats.textContent = ""; setItems(box, 0); return;
  }
  const names = Object.entries(data.nations).sort((a, b) => a[1].localeCompare(b[1]));
  nationSelect.replaceChildren(h("option", { value: "" }, "all nations"),
    ...names.map(([iri, label]) => h("option", { value: iri, selected: iri === nation ? "" : null }, label)));
  if (nation && !data.nations[nation]) nationSelect.append(h("option", { value: nation, selected: "" }, nation.split("/").pop()));
  redraw();
}

function pushState() {
  const p = new URLSearchParams({ year });
  if (nation) p.set("nation", nation.split("/").pop());
  if (kind) p.set("kind", kind);
  history.replaceState(null, "", `?${p}`);
}
if (nation && !nation.includes("/")) nation = `https://w3id.org/milgraph/id/nation/${nation}`;
yearInput.addEventListener("change", () => { year = Number(yearInput.value) || year; yearSlider.value = year; pushState(); load(); });
yearSlider.addEventListener("change", () => { year = Number(yearSlider.value); yearInput.value = year; pushState(); load(); });
yearSlider.addEventListener("input", () => { yearInput.value = yearSlider.value; });
nationSelect.addEventListener("change", () => { nation = nationSelect.value; pushState(); redraw(); });
kindSelect.addEventListener("change", () => { kind = kindSelect.value; pushState(); redraw(); });
drawBase().then(load, (err) => showError(panel, err));
