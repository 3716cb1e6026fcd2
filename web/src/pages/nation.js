// /ui/nation/{ISO} — a nation's timeline (memberships, agreements, exercises, measures, training)
// and yearly indicators, from GET /api/nations/{code}/timeline.
import { DataSet, Timeline } from "vis-timeline/standalone";
import "vis-timeline/styles/vis-timeline-graph2d.min.css";
import { yearChart } from "../charts.js";
import { app, config, dateOf, getJSON, h, setItems, showError, todayIso, viewHref, yearOf } from "../common.js";
import "./nation.css";

const code = config().code;
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const GROUPS = [
  // The one-row groups first: a nation's agreements run to dozens of rows since the UNODA import.
  ["statehood", "Statehood"], ["exercise", "Exercises (per year)"], ["training", "Training (per year)"],
  ["measure", "Trust-building"], ["membership", "Memberships"], ["agreement", "Agreements"],
];

const root = app();
const head = h("div", {}, h("h1", {}, `Nation ${code}`));
const jump = h("form", { class: "controls", onsubmit: (e) => { e.preventDefault(); const v = jump.querySelector("input").value.trim(); if (v) location.href = `/ui/nation/${encodeURIComponent(v)}`; } },
  h("label", {}, "Nation code", h("input", { type: "text", value: code, size: 10, "aria-label": "nation code" })), h("button", {}, "Show"),
  h("span", { class: "muted" }, "ISO alpha-3 (FIN), COW number or abbreviation"));
const tl = h("div", { id: "timeline", class: "timeline-box", "data-items": "0" });
const detail = h("div", { class: "card muted", id: "timeline-detail" }, "Select an item for its record and links.");
const exCanvas = h("canvas", { "aria-label": "exercises per year" });
const exChart = h("div", { class: "chart", id: "chart-exercises", "data-items": "0" }, exCanvas);
const relCanvas = h("canvas", { "aria-label": "memberships and agreements per year" });
const relChart = h("div", { class: "chart", id: "chart-relations", "data-items": "0" }, relCanvas);
root.replaceChildren(head, jump, tl, detail,
  h("div", { class: "grid2" },
    h("section", {}, h("h2", {}, "Memberships, agreements and measures, per year"), relChart),
    h("section", {}, h("h2", {}, "Exercises per year"), exChart)));

/** Items and per-year counts from the timeline's events (periods paired by their record). */
function build(data) {
  const byFact = new Map();
  const items = [];
  const exercises = new Map();
  const training = new Map();
  const today = todayIso();
  for (const e of data.events) {
    const k = e.kind;
    if (k === "took part in exercise" || k === "hosted exercise") {
      const y = yearOf(e.date);
      if (!exercises.has(y)) exercises.set(y, []);
      exercises.get(y).push(e);
      continue;
    }
    const group = k.startsWith("membership") ? "membership" : k.startsWith("statehood") ? "statehood"
      : k === "trust-building measure" ? "measure" : k.includes("training") ? "training" : "agreement";
    if (group === "training") {
      // One bar per year, as for exercises: a large provider has tens of thousands of exchanges.
      const y = yearOf(e.date);
      if (y !== null) {
        if (!training.has(y)) training.set(y, []);
        training.get(y).push(e);
      }
      continue;
    }
    if (group === "measure") {
      items.push({ id: `${e.fact}|${k}`, group, start: dateOf(e.date), type: "point", content: esc(e.relatedLabel || e.label), title: esc(e.label), event: e });
      continue;
    }
    const key = `${group}|${e.fact}`;
    if (!byFact.has(key)) byFact.set(key, { group, fact: e.fact, related: e.related, label: e.relatedLabel || e.label, events: [] });
    byFact.get(key).events.push(e);
  }
  for (const r of byFact.values()) {
    const ev = Object.fromEntries(r.events.map((e) => [e.kind, e.date]));
    let start; let end;
    if (r.group === "membership") { start = ev["membership started"]; end = ev["membership ended"]; }
    else if (r.group === "statehood") { start = ev["statehood began"]; end = ev["statehood ended"]; }
    else {
      start = ev["entered into force"] || ev.signed;
      end = ev.withdrew || ev["ceased to be a party"] || ev["agreement terminated"] || ev.suspended;
    }
    if (!start) continue;
    const label = r.group === "statehood" ? "in the state system (COW)"
      : r.group === "agreement" && !ev["entered into force"] ? `${r.label} (signed)` : r.label;
    const role = r.events.find((e) => e.kind.startsWith("membership"))?.label || "";
    items.push({ id: key(r), group: r.group, start: dateOf(start), end: dateOf(end || today), type: "range",
      content: esc(label), title: esc(`${r.events.map((e) => `${e.date} ${e.label}`).join("\n")}`), record: r, role });
  }
  function key(r) { return `${r.group}|${r.fact}`; }
  for (const [y, list] of training) {
    items.push({ id: `training|${y}`, group: "training", start: new Date(Date.UTC(y, 0, 1)), end: new Date(Date.UTC(y, 11, 31)),
      type: "range", content: String(list.length), title: esc(`${list.length} training exchanges in ${y}`), training: list, year: y });
  }
  for (const [y, list] of exercises) {
    if (y === null) continue;
    items.push({ id: `exercise|${y}`, group: "exercise", start: new Date(Date.UTC(y, 0, 1)), end: new Date(Date.UTC(y, 11, 31)),
      type: "range", content: String(list.length), title: esc(`${list.length} exercises in ${y}`), exercises: list, year: y });
  }
  return { items };
}

/** Yearly indicators from the server (the same day sets as the point-in-time views). */
async function drawIndicators() {
  try {
    const data = await getJSON(`/api/views/nations/${encodeURIComponent(code)}/indicators`);
    const years = data.years.map((y) => y.year);
    const series = (names) => names.map(([k, label, type]) => ({ label, type, values: data.years.map((y) => y[k].count) }));
    const rel = yearChart(relCanvas, years, series([["alliances", "alliances"], ["organizations", "other organisations"],
      ["agreementsInForce", "agreements in force"], ["measures", "trust-building measures"], ["training", "training exchanges"]]), { type: "line" });
    setItems(relChart, rel.items);
    const ex = yearChart(exCanvas, years, [{ label: "exercises", values: data.years.map((y) => y.exercises.count), colour: "#b5651d" }]);
    setItems(exChart, ex.items);
  } catch (err) { showError(relChart, err); setItems(relChart, 0); setItems(exChart, 0); }
}

function showDetail(item) {
  if (!item) return;
  if (item.training) {
    detail.replaceChildren(h("b", {}, `${item.training.length} training exchanges in ${item.year}: `),
      item.training.slice(0, 60).map((e, i) => [i ? " · " : "", h("a", { href: viewHref(e.fact) }, e.label)]),
      item.training.length > 60 ? ` … and ${item.training.length - 60} more` : "");
  } else if (item.exercises) {
    detail.replaceChildren(h("b", {}, `${item.exercises.length} exercises in ${item.year}: `),
      item.exercises.slice(0, 60).map((e, i) => [i ? " · " : "", h("a", { href: viewHref(e.fact) }, e.relatedLabel || e.label)]),
      item.exercises.length > 60 ? ` … and ${item.exercises.length - 60} more` : "");
  } else if (item.record) {
    const r = item.record;
    detail.replaceChildren(h("b", {}, r.label), " — ",
      r.events.map((e, i) => [i ? "; " : "", `${e.date} ${e.label}`]), " · ",
      h("a", { href: viewHref(r.fact) }, "record"), r.related ? [" · ", h("a", { href: viewHref(r.related) }, "about")] : "");
  } else if (item.event) {
    detail.replaceChildren(h("b", {}, item.event.label), " ", item.event.date, " · ", h("a", { href: viewHref(item.event.fact) }, "record"));
  }
  detail.classList.remove("muted");
}

getJSON(`/api/nations/${encodeURIComponent(code)}/timeline`).then((data) => {
  const n = data.nation;
  document.title = `${n.label} — milgraph`;
  head.replaceChildren(h("h1", {}, n.label, " ", h("span", { class: "muted" }, n.code || "")),
    h("p", { class: "sub" }, `${data.events.length} dated events`, data.undated.length ? `, ${data.undated.length} undated` : "",
      " · ", h("a", { href: viewHref(n.iri) }, "all facts"), " · ", h("a", { href: `/ui/network?asOf=${todayIso()}` }, "alliance network")));
  const { items } = build(data);
  const used = new Set(items.map((i) => i.group));
  const groups = GROUPS.filter(([id]) => used.has(id)).map(([id, content], order) => ({ id, content, order }));
  const timeline = new Timeline(tl, new DataSet(items), new DataSet(groups), {
    stack: true, maxHeight: 640, verticalScroll: true, zoomKey: "ctrlKey", orientation: "top",
    groupOrder: "order", margin: { item: { horizontal: 2, vertical: 3 } },
    tooltip: { followMouse: true, overflowMethod: "cap" }, zoomMin: 1000 * 86400 * 60,
  });
  timeline.fit({ animation: false });
  timeline.on("select", ({ items: ids }) => showDetail(items.find((i) => i.id === ids[0])));
  setItems(tl, items.length);
  window.milgraphTimeline = timeline;

  drawIndicators();
}).catch((err) => { showError(tl, err); for (const el of [tl, exChart, relChart]) setItems(el, 0); });
