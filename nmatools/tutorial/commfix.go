package tutorial

// commURLFix is a script shown with the exploration's controls, before GoNB's widgets
// open their connection. GoNB's browser side (v0.11.5) connects its WebSocket to
// "ws://" + host + "/api/kernels/<id>/channels": right for a JupyterLab served at the
// root over http, wrong behind JupyterHub or Binder (the server lives under a base URL
// such as /user/<name>/) and over https (the page may only open wss:// connections).
// There the sliders never answer. The script reads the server's base URL from
// JupyterLab's page configuration and, only when it is not "/" or the page is https,
// wraps the page's WebSocket constructor so that a URL of that exact form (a path
// starting with /api/kernels/ right after the host, which JupyterLab's own connections
// never have under a base URL) gets the base URL and the page's scheme. It installs
// itself once per page and changes nothing in a JupyterLab served at the root over http.
const commURLFix = `<script>(() => {
  if (globalThis.nmatoolsCommURLFix) return;
  globalThis.nmatoolsCommURLFix = true;
  let base = "/";
  try { base = JSON.parse(document.getElementById("jupyter-config-data").textContent).baseUrl || "/"; } catch (e) {}
  const secure = location.protocol === "https:";
  if (base === "/" && !secure) return;
  const Native = globalThis.WebSocket;
  const Fixed = function (url, protocols) {
    const m = String(url).match(/^wss?:\/\/[^\/]+(\/api\/kernels\/[^\/]+\/channels.*)$/);
    if (m) url = (secure ? "wss://" : "ws://") + location.host + base.replace(/\/$/, "") + m[1];
    return protocols === undefined ? new Native(url) : new Native(url, protocols);
  };
  Fixed.prototype = Native.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Fixed[k] = Native[k];
  globalThis.WebSocket = Fixed;
})();</script>`
