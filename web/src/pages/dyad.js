// /ui/dyad/{A}/{B}?from=&to= — the relationship profile of two nations (GET /api/relations/{a}/{b}).
import { yearChart } from "../charts.js";
import { app, config, getJSON, h, setItems, showError, viewHref } from "../common.js";

const { a, b } = config();
const q = new URLSearchParams(location.search);
const from = q.get("from") || "";
const to = q.get("to") || "";
const SERIES = [
  ["sharedAlliances", "shared alliances"], ["agreementsInForce", "agreements in force"],
  ["jointExercises", "joint exercises"], ["activeMeasures", "trust-building measures"], ["trainingExchanges", "training exchanges"],
];
// Periods are half-open: "until" is the first day no longer true.
const periods = (list) => (list && list.length ? list.map((p) => `${p.from || "…"} – ${p.until ? "before " + p.until : "ongoing"}`).join("; ") : "—");
const link = (iri, text) => h("a", { href: viewHref(iri) }, text);

const root = app();
const title = h("h1", {}, `${a} and ${b}`);
const form = h("form", { class: "controls", method: "get" },
  h("label", {}, "From", h("input", { type: "text", name: "from", value: from, placeholder: "YYYY[-MM[-DD]]", size: 11 })),
  h("label", {}, "To", h("input", { type: "text", name: "to", value: to, placeholder: "YYYY[-MM[-DD]]", size: 11 })),
  h("button", { type: "submit" }, "Apply"));
const canvas = h("canvas", { "aria-label": "indicators per year" });
const chart = h("div", { class: "chart", id: "chart-indicators", "data-items": "0" }, canvas);
const body = h("div", { id: "profile", "data-items": "0" }, h("p", { class: "loading" }, "Loading the profile…"));
root.replaceChildren(title, form, h("h2", {}, "Indicators per year"), chart, body);

function table(headers, rows, id) {
  if (!rows.length) return h("p", { class: "muted" }, "none");
  return h("div", { class: "scroll" }, h("table", { class: "data", id },
    h("thead", {}, h("tr", {}, headers.map((x) => h("th", {}, x)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c)))))));
}

getJSON(`/api/relations/${encodeURIComponent(a)}/${encodeURIComponent(b)}`, { from, to }).then((p) => {
  document.title = `${p.a.label} and ${p.b.label} — milgraph`;
  title.replaceChildren(link(p.a.iri, p.a.label), " and ", link(p.b.iri, p.b.label));
  const years = p.indicators.map((y) => y.year);
  const drawn = yearChart(canvas, years, SERIES.map(([k, label]) => ({ label, values: p.indicators.map((y) => y[k].count), type: k === "jointExercises" ? "bar" : "line" })), { type: "line" });
  setItems(chart, drawn.items);
  const exerciseYears = Object.entries(p.exercises);
  const nEx = exerciseYears.reduce((n, [, xs]) => n + xs.length, 0);
  const rows = {
    orgs: p.organizations.map((o) => [link(o.iri, o.label), o.alliance ? "alliance" : "organisation", periods(o.together), periods(o.affiliatedTogether)]),
    agreements: p.agreements.map((g) => [link(g.iri, g.label), g.kinds.join(", "), g.status, periods(g.inForceTogether)]),
    exercises: exerciseYears.map(([y, xs]) => [y, String(xs.length), h("span", {}, xs.slice(0, 12).map((x, i) => [i ? " · " : "", link(x.iri, x.label)]), xs.length > 12 ? ` … +${xs.length - 12}` : "")]),
    measures: p.measures.map((m) => [link(m.iri, m.label), m.kinds.join(", "), `${m.startDate || "?"} – ${m.endDate || "ongoing"}`]),
    training: p.training.map((t) => [link(t.iri, t.label), t.direction || "", `${t.startDate || "?"} – ${t.endDate || "ongoing"}`]),
  };
  body.replaceChildren(
    h("h2", {}, `Shared organisations and alliances (${rows.orgs.length})`),
    table(["organisation", "kind", "both full members", "both affiliated (any role)"], rows.orgs, "orgs"),
    h("h2", {}, `Agreements both are party to (${rows.agreements.length})`),
    table(["agreement", "kinds", "status", "in force for both"], rows.agreements, "agreements"),
    h("h2", {}, `Exercises together (${nEx})`), table(["year", "count", "exercises"], rows.exercises, "exercises"),
    h("div", { class: "grid2" },
      h("section", {}, h("h2", {}, `Trust-building measures (${rows.measures.length})`), table(["measure", "kinds", "period"], rows.measures, "measures")),
      h("section", {}, h("h2", {}, `Training exchanges (${rows.training.length})`), table(["exchange", "direction", "period"], rows.training, "training"))),
  );
  setItems(body, rows.orgs.length + rows.agreements.length + nEx + rows.measures.length + rows.training.length);
}).catch((err) => { showError(body, err); setItems(body, 0); setItems(chart, 0); });
