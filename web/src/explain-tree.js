// Draws an explanation (GET /api/views/explain) as a proof tree down to asserted triples.
import { h, viewHref } from "./common.js";

function periodText(period) {
  if (!period || !period.length) return null;
  return period.map((p) => `${p.from || "…"} – ${p.until ? "before " + p.until : "ongoing"}`).join("; ");
}

function termLink(term, text) {
  if (term && term.type === "uri") return h("a", { href: viewHref(term.value), title: term.value }, text);
  return h("span", {}, text);
}

function tripleLine(node) {
  const [s, p, o] = node.text.split(" ");
  const t = node.triple;
  const rest = node.text.split(" ").slice(2).join(" ");
  return h("span", { class: "mono triple" }, termLink(t.s, s), " ", termLink(t.p, p), " ", termLink(t.o, rest || o));
}

function assertedList(entries) {
  return h("ul", { class: "asserted" }, entries.map((a) =>
    h("li", {},
      h("span", { class: "mono" }, a.file + (a.line ? `:${a.line}` : "")),
      a.links && a.links.length
        ? [" — source: ", a.links.map((u, i) => [i ? ", " : "", h("a", { href: u, rel: "noopener noreferrer", target: "_blank" }, u)])]
        : " — no source recorded",
    )));
}

/** Renders the tree into `where`; returns the number of nodes drawn. */
export function drawExplanation(where, data) {
  let count = 0;
  const node = (n, depth) => {
    count += 1;
    const kind = n.ruleKind || (n.rule ? "rule" : "asserted");
    const head = h("div", { class: "node-head" },
      h("span", { class: `badge ${kind}` }, n.rule ? `${kind === "owl2rl" ? "OWL 2 RL" : "rule"} ${n.rule}` : "asserted"),
      tripleLine(n),
      n.dates ? h("div", { class: "muted small" }, "dates compared: " +
        Object.entries(n.dates).map(([k, v]) => `${k} ${v === null ? "absent" : v}`).join(", ")) : null,
      periodText(n.period) ? h("div", { class: "muted small" }, "holds " + periodText(n.period)) : null,
      n.note ? h("div", { class: "muted small" }, n.note) : null,
      n.asserted ? assertedList(n.asserted) : null,
    );
    const premises = (n.premises || []).map((p) => node(p, depth + 1));
    if (!premises.length) return h("li", { class: "leaf" }, head);
    return h("li", {}, h("details", { open: depth < 3 ? "" : null }, h("summary", {}, head), h("ul", {}, premises)));
  };
  const rules = Object.entries(data.rules || {}).map(([name, text]) => h("li", {}, h("b", {}, name), ": " + text));
  where.replaceChildren(
    h("p", { class: "sub" }, data.holds ? `Holds ${data.asOf ? "as of " + data.asOf : "in the current view"}` : "Does not hold",
      ` — ${data.nodes} steps${data.truncated ? " (truncated)" : ""}.`),
    h("ul", { class: "tree" }, node(data.explanation, 0)),
    rules.length ? h("details", { class: "rules" }, h("summary", {}, "Rules used"), h("ul", {}, rules)) : null,
  );
  return count;
}
