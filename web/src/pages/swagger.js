// /docs — Swagger UI from the local swagger-ui-dist package (no CDN, no validator badge).
import SwaggerUIBundle from "swagger-ui-dist/swagger-ui-bundle.js";
import "swagger-ui-dist/swagger-ui.css";
import { app, config, h, setItems } from "../common.js";

const box = h("div", { id: "swagger-ui" });
app().replaceChildren(box);
SwaggerUIBundle({
  url: config().openapi, domNode: box, deepLinking: true, validatorUrl: null, tryItOutEnabled: false,
  onComplete: () => setItems(box, box.querySelectorAll(".opblock").length),
});
