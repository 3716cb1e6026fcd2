// A readable page for an RDF document of this server (/void, the service description):
// the same URL fetched as Turtle, with its IRIs as links.
import { app, config, h, setItems, showError, viewHref } from "../common.js";

const { url, title } = config();
const pre = h("pre", { class: "card", id: "document", "data-items": "0" }, "Loading…");
app().replaceChildren(h("h1", {}, title), h("p", { class: "sub" },
  "As Turtle; other formats: ",
  ["turtle", "ntriples", "jsonld", "rdfxml"].map((f, i) => [i ? " · " : "", h("a", { href: `${url}?format=${f}` }, f)])), pre);

fetch(url, { headers: { Accept: "text/turtle" } }).then(async (res) => {
  const text = await res.text();
  if (!res.ok) throw new Error(text);
  const parts = text.split(/(<[^<>\s]+>)/);
  let links = 0;
  pre.replaceChildren(...parts.map((p) => {
    if (!/^<.+>$/.test(p)) return p;
    const iri = p.slice(1, -1);
    if (!/^https?:/.test(iri)) return p;
    links += 1;
    return h("a", { href: iri.startsWith(location.origin) ? iri : viewHref(iri) }, p);
  }));
  setItems(pre, text.split("\n").filter((l) => l.trim()).length);
}).catch((err) => { showError(pre, err); setItems(pre, 0); });
