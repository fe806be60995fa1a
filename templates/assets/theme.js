// The reader's theme choice (light or dark; none = follow the system), applied before the
// first paint so a dark-theme reader never sees a white flash. Loaded in <head>, blocking,
// because the CSP allows no inline script; reader.js holds the switch that sets it.
try {
  const t = localStorage.getItem("kb-theme");
  if (t === "light" || t === "dark") document.documentElement.setAttribute("data-theme", t);
} catch {
  // storage blocked (private mode, file://): the system setting applies
}
