/* The two jQuery calls folium's generated pages make, without jQuery (offline, no CDN):
   $(`<div>..</div>`)[0]  -> the element built from an HTML string (popup contents)
   $(document).ready(fn)  -> run fn once the document is parsed.
   Anything else is not supported on purpose: the briefing pages use nothing more. */
(function () {
  if (window.$) { return; }
  window.$ = function (arg) {
    if (typeof arg === "string") {
      var t = document.createElement("template");
      t.innerHTML = arg.trim();
      return [t.content.firstElementChild];
    }
    return {
      ready: function (fn) {
        if (document.readyState !== "loading") { fn(); }
        else { document.addEventListener("DOMContentLoaded", fn); }
      }
    };
  };
})();
