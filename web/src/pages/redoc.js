// /redoc — Redoc's standalone bundle from the local redoc package (no CDN, no web fonts).
// The bundle is a UMD file that esbuild cannot re-bundle; make copies it to dist/vendor/.
import { app, config, h, setItems } from "../common.js";

const box = h("div", { id: "redoc" });
app().replaceChildren(box);
const script = document.createElement("script");
script.src = "/ui/static/vendor/redoc.standalone.js";
script.onload = () => window.Redoc.init(config().openapi, { hideDownloadButton: false, expandResponses: "" }, box, (err) => {
  setItems(box, err ? 0 : box.querySelectorAll("[data-section-id^='operation/']").length);
});
document.head.append(script);
