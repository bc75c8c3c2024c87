/* Stjarna widget — foundation placeholder (menu view only). The full widget (assistant, cart,
   filters; TypeScript built with esbuild) replaces this file; see widget/README.md. */
(function () {
  "use strict";
  var script = document.currentScript;
  function fail(msg) { console.error("[stjarna] " + msg); }
  if (!script) { fail("could not find its own <script> tag; load widget.js with a plain <script src>."); return; }
  var rid = script.getAttribute("data-restaurant-id") || script.getAttribute("data-restaurant");
  var endpoint = script.getAttribute("data-endpoint");
  if (!rid) { fail('missing data-restaurant-id on the <script> tag, e.g. data-restaurant-id="your-slug".'); return; }
  try { endpoint = new URL(endpoint || "").origin; } catch (e) {
    fail('data-endpoint must be an absolute URL such as "https://api.example.com"; got ' + JSON.stringify(endpoint)); return;
  }

  var host = document.createElement("div");
  host.setAttribute("data-stjarna", "");
  var root = host.attachShadow({ mode: "open" });
  var css = ":host{all:initial;position:fixed;bottom:16px;right:16px;display:flex;flex-direction:column;align-items:flex-end;z-index:2147483000;font:14px/1.4 system-ui,sans-serif;color:#1b1b1b}" +
    "button.fab{border:0;border-radius:24px;padding:12px 18px;background:var(--c,#1f6f5c);color:#fff;font:inherit;cursor:pointer}" +
    "button:focus-visible{outline:3px solid #222;outline-offset:2px}" +
    ".panel{display:none;width:min(360px,calc(100vw - 32px));max-height:70vh;overflow:auto;background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);margin-bottom:8px;padding:12px}" +
    ".panel[data-open]{display:block}h2{font-size:16px;margin:0 0 8px}h3{font-size:14px;margin:12px 0 4px}" +
    "ul{list-style:none;margin:0;padding:0}li{display:flex;justify-content:space-between;gap:8px;padding:4px 0;border-bottom:1px solid #eee}" +
    ".tags{font-size:12px;color:#555}.err{color:#a00}";
  try { var sheet = new CSSStyleSheet(); sheet.replaceSync(css); root.adoptedStyleSheets = [sheet]; }
  catch (e) { var st = document.createElement("style"); st.textContent = css; root.appendChild(st); }

  var panel = document.createElement("div");
  panel.className = "panel"; panel.setAttribute("role", "dialog"); panel.setAttribute("aria-label", "Menu");
  var fab = document.createElement("button");
  fab.className = "fab"; fab.type = "button"; fab.textContent = "Menu"; fab.setAttribute("aria-expanded", "false");
  fab.addEventListener("click", function () { toggle(!panel.hasAttribute("data-open")); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") toggle(false); });
  function toggle(open) {
    if (open) panel.setAttribute("data-open", ""); else panel.removeAttribute("data-open");
    fab.setAttribute("aria-expanded", String(open));
  }
  root.appendChild(panel); root.appendChild(fab);
  (document.body || document.documentElement).appendChild(host);

  function el(tag, text, cls) { var n = document.createElement(tag); if (text) n.textContent = text; if (cls) n.className = cls; return n; }
  function get(path) {
    return fetch(endpoint + path + "?restaurantId=" + encodeURIComponent(rid), { credentials: "omit" })
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) throw new Error((b.error && b.error.message) || r.status); return b; }); });
  }
  Promise.all([get("/api/public/config"), get("/api/public/menu")]).then(function (res) {
    var config = res[0], menu = res[1];
    if (config.theme && config.theme.color) host.style.setProperty("--c", config.theme.color);
    var money = new Intl.NumberFormat(config.locale || "en", { style: "currency", currency: menu.restaurant.currency });
    panel.appendChild(el("h2", menu.restaurant.name));
    if (config.greeting) panel.appendChild(el("p", config.greeting));
    menu.sections.forEach(function (s) {
      panel.appendChild(el("h3", s.name));
      var ul = el("ul");
      s.items.forEach(function (i) {
        var li = el("li"), left = el("div");
        left.appendChild(el("div", i.name));
        var badges = i.tags.slice();
        badges.push(i.allergensDeclared ? (i.allergens.length ? "contains: " + i.allergens.join(", ") : "no listed allergens") : "allergens: ask staff");
        left.appendChild(el("div", badges.join(" · "), "tags"));
        li.appendChild(left); li.appendChild(el("span", money.format(i.priceCents / 100)));
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    });
    if (script.getAttribute("data-open") === "true") toggle(true);
    host.setAttribute("data-state", "ready");
  }).catch(function (e) {
    panel.appendChild(el("p", "The menu could not be loaded.", "err"));
    host.setAttribute("data-state", "error");
    fail("could not load the menu for " + JSON.stringify(rid) + " from " + endpoint + ": " + e.message);
  });
})();
