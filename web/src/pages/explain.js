// /ui/explain?s=&p=&o=&asOf= — why a triple holds, as a proof tree.
import { app, getJSON, h, setItems, showError } from "../common.js";
import { drawExplanation } from "../explain-tree.js";
import "../explain-tree.css";

const q = new URLSearchParams(location.search);
const field = (name, label, placeholder) =>
  h("label", {}, label, h("input", { type: name === "asOf" ? "date" : "text", name, value: q.get(name) || "", placeholder, size: name === "asOf" ? null : 28 }));
const form = h("form", { class: "controls", method: "get", action: "/ui/explain" },
  field("s", "Subject", "id:nation/FIN"), field("p", "Predicate", "mil:memberOf"),
  field("o", "Object", "id:org/NATO"), field("asOf", "As of", ""), h("button", { type: "submit" }, "Explain"));
const tree = h("div", { id: "explanation", class: "card" });
app().replaceChildren(h("h1", {}, "Why does this hold?"),
  h("p", { class: "sub" }, "Each step names its rule; each asserted triple its file, line and source."), form, tree);

if (q.get("s") && q.get("p") && q.get("o")) {
  tree.replaceChildren(h("p", { class: "loading" }, "Explaining…"));
  const params = { s: q.get("s"), p: q.get("p"), o: q.get("o"), asOf: q.get("asOf") };
  getJSON("/api/views/explain", params).then((data) => {
    document.title = `${data.explanation.text} — milgraph`;
    setItems(tree, drawExplanation(tree, data));
  }).catch((err) => { showError(tree, err); setItems(tree, 0); });
} else {
  tree.replaceChildren(h("p", { class: "muted" }, "Give a triple, e.g. ",
    h("a", { href: "/ui/explain?s=id:nation/SWE&p=mil:memberOf&o=id:org/NATO&asOf=2024-06-01" }, "Sweden member of NATO on 2024-06-01"), "."));
  setItems(tree, 0);
}
