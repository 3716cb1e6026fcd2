// Helpers shared by every page: configuration, the HTTP API, links to the views.
import "./style.css";

export const ID = "https://w3id.org/milgraph/id/";
export const MIL = "https://w3id.org/milgraph/ontology#";

export function config() {
  const el = document.getElementById("milgraph-config");
  return el ? JSON.parse(el.textContent || "{}") : {};
}

export const app = () => document.getElementById("app");

/** GET a JSON resource of this server; throws an Error carrying the problem's detail. */
export async function getJSON(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!res.ok) {
    const err = new Error((body && (body.detail || body.title)) || `${res.status} ${res.statusText}`);
    err.status = res.status;
    err.problem = body;
    throw err;
  }
  return body;
}

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export function showError(where, err) {
  const box = h("div", { class: "error", role: "alert" }, err.message || String(err));
  where.replaceChildren(box);
  return box;
}

/** The code a view URL uses for a nation IRI (id/nation/FIN -> FIN, id/nation/cow-GMY -> cow-GMY). */
export function nationCode(iri) {
  return iri && iri.startsWith(ID + "nation/") ? iri.slice((ID + "nation/").length) : null;
}

/** Where a milgraph IRI is best looked at: a nation's view, else a DESCRIBE in the workbench. */
export function viewHref(iri) {
  const code = nationCode(iri);
  if (code) return `/ui/nation/${encodeURIComponent(code)}`;
  if (iri.startsWith(ID)) return `/sparql?query=${encodeURIComponent(`DESCRIBE <${iri}>`)}`;
  return iri;
}

export function shortIri(iri) {
  if (iri.startsWith(ID)) return "id:" + iri.slice(ID.length);
  if (iri.startsWith(MIL)) return "mil:" + iri.slice(MIL.length);
  return iri;
}

export function setItems(el, n) {
  el.dataset.items = String(n);
  el.dataset.ready = "true";
}

export function todayIso() {
  return new Date().toISOString().slice(0, 10);
}

/** Year as a fraction, for ordering and scales ("1949-08-24" -> 1949.64; "1960" -> 1960). */
export function yearOf(text) {
  const m = /^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(text || "");
  return m ? Number(m[1]) : null;
}

/** A partial date as a Date: its first day ("1965-03" -> 1965-03-01). */
export function dateOf(text) {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(text || "");
  if (!m) return null;
  return new Date(Date.UTC(Number(m[1]), m[2] ? Number(m[2]) - 1 : 0, m[3] ? Number(m[3]) : 1));
}

export function debounce(fn, ms) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}
