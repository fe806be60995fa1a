// Reader conveniences on every page. All of them are extras: without this script the
// page still has its table of contents, heading and turn anchors (plain links), the
// sticky reading bar (its progress drawn by a CSS scroll timeline where supported),
// back-to-top and previous/next links, and the system's light or dark theme.
// ~3 KB gzip, deferred, no dependencies, nothing fetched from another origin; the hover
// previews (preview.js) load only when a mouse first hovers a link.
const doc = document.documentElement;
/** Where this script was loaded from: preview.js sits beside it (a site may live under a path prefix). */
const SELF = document.currentScript instanceof HTMLScriptElement ? document.currentScript.src : window.location.href;

// --- Theme switch: system → light → dark, remembered (theme.js applies it before paint).
const THEMES = ["system", "light", "dark"];
const THEME_LABELS = { system: "跟随系统", light: "浅色", dark: "深色" };
const THEME_ICONS = { system: "◐", light: "☀", dark: "☾" };
const themeButton = document.querySelector(".theme-switch");
const themeNow = () => doc.getAttribute("data-theme") ?? "system";
function setTheme(theme, remember) {
  if (theme === "system") doc.removeAttribute("data-theme");
  else doc.setAttribute("data-theme", theme);
  if (remember) {
    try {
      if (theme === "system") localStorage.removeItem("kb-theme");
      else localStorage.setItem("kb-theme", theme);
    } catch {
      // storage blocked: the choice lasts for this page only
    }
  }
  if (themeButton) {
    themeButton.setAttribute("aria-label", `主题：${THEME_LABELS[theme]}`);
    themeButton.dataset.theme = theme;
    const icon = themeButton.querySelector("span");
    if (icon) icon.textContent = THEME_ICONS[theme];
  }
}
if (themeButton) {
  themeButton.hidden = false;
  setTheme(themeNow(), false);
  themeButton.addEventListener("click", () => setTheme(THEMES[(THEMES.indexOf(themeNow()) + 1) % THEMES.length], true));
}

// --- `/` and Ctrl-K (⌘K) focus search: the search page's own box, else the header's.
document.addEventListener("keydown", (e) => {
  const box = document.getElementById("kb-q") ?? document.getElementById("site-search");
  if (!box || e.altKey || e.defaultPrevented) return;
  const target = /** @type {Element} */ (e.target);
  const typing = target instanceof Element && target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  const ctrlK = (e.ctrlKey || e.metaKey) && (e.key === "k" || e.key === "K");
  const slash = e.key === "/" && !e.ctrlKey && !e.metaKey && !typing;
  if (!ctrlK && !slash) return;
  e.preventDefault();
  box.focus();
  box.select();
});

// --- A short message for screen readers and eyes (copied links).
let toast = null;
let toastTimer = 0;
function say(text) {
  if (!toast) {
    toast = document.createElement("p");
    toast.className = "toast";
    toast.setAttribute("role", "status");
    document.body.append(toast);
  }
  toast.textContent = text;
  toast.classList.add("is-shown");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => toast.classList.remove("is-shown"), 2200);
}

// --- Copy-link on headings (`#` after the heading) and speaker turns: the page moves
// to that place (so it is highlighted and in the history), and its address is copied.
document.addEventListener("click", (e) => {
  const a = e.target instanceof Element ? e.target.closest("a.anchor, a.turn-link") : null;
  if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
  const id = decodeURIComponent((a.getAttribute("href") ?? "").slice(1));
  if (!id) return;
  e.preventDefault();
  const url = new URL(window.location.href);
  url.hash = id;
  if (window.location.hash !== `#${id}`) window.location.hash = id;
  const done = () => say(a.classList.contains("turn-link") ? "已复制这段发言的链接" : "已复制本节链接");
  if (navigator.clipboard?.writeText) navigator.clipboard.writeText(url.href).then(done, () => say("链接已在地址栏中"));
  else say("链接已在地址栏中");
});

// --- Reading progress, where CSS scroll timelines are not supported (they draw it without script).
const bar = document.querySelector(".reading-progress > span");
if (bar && !(window.CSS && CSS.supports("animation-timeline: scroll()"))) {
  let queued = false;
  const draw = () => {
    queued = false;
    const max = doc.scrollHeight - window.innerHeight;
    bar.style.transform = `scaleX(${max > 0 ? Math.min(1, window.scrollY / max) : 1})`;
  };
  window.addEventListener("scroll", () => { if (!queued) { queued = true; requestAnimationFrame(draw); } }, { passive: true });
  draw();
}

// --- The 目录 button on phones opens the table of contents it jumps to.
for (const a of document.querySelectorAll("a.reading-toc")) {
  a.addEventListener("click", () => { const d = document.querySelector("#toc details"); if (d) d.open = true; });
}

// --- The side table of contents follows the reader: the section being read is marked.
const tocLinks = [...document.querySelectorAll(".toc-side a[href^='#']")];
if (tocLinks.length) {
  const targets = tocLinks.map((a) => document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1))));
  const box = document.querySelector(".toc-side .toc");
  let active = -1;
  let queued = false;
  const mark = () => {
    queued = false;
    const line = window.innerHeight * 0.3;
    let i = -1;
    targets.forEach((t, k) => { if (t && t.getBoundingClientRect().top <= line) i = k; });
    if (i === active) return;
    if (active >= 0) { tocLinks[active].removeAttribute("aria-current"); tocLinks[active].classList.remove("is-active"); }
    active = i;
    if (i < 0) return;
    const link = tocLinks[i];
    link.setAttribute("aria-current", "location");
    link.classList.add("is-active");
    // Keep the marked entry inside the (scrollable) side box without scrolling the page.
    if (box) {
      const top = link.offsetTop - box.offsetTop;
      if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - link.offsetHeight) box.scrollTop = top - box.clientHeight / 3;
    }
  };
  window.addEventListener("scroll", () => { if (!queued) { queued = true; requestAnimationFrame(mark); } }, { passive: true });
  window.addEventListener("resize", mark);
  mark();
}

// --- Hover previews of linked notes and entity pages (desktop mice only, never touch):
// preview.js is loaded on the first mouse hover over a link, not before.
const fine = window.matchMedia("(hover: hover) and (pointer: fine)");
let previews = null;
document.addEventListener("pointerover", (e) => {
  if (previews || e.pointerType !== "mouse" || !fine.matches) return;
  if (!(e.target instanceof Element) || !e.target.closest("main a[href]")) return;
  previews = import(new URL("preview.js", SELF).href)
    .then((m) => m.start(e))
    .catch(() => { previews = null; });
});
