// Reader conveniences on every page. All of them are extras: without this script the
// page still has its table of contents, heading and turn anchors (plain links), the
// sticky reading bar (its progress drawn by a CSS scroll timeline where supported),
// back-to-top and previous/next links, and the system's light or dark theme.
// ~5 KB, deferred, no dependencies, nothing fetched from another origin.
const doc = document.documentElement;

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

// --- Hover previews of linked notes and entity pages (desktop mice only, never touch).
// A page's own <head> is its preview record — title, date and the summary its
// description carries — so the preview reads the linked page only up to </head> and
// stops (a few KB from this site, cached), and nothing is built twice for it.
const fine = window.matchMedia("(hover: hover) and (pointer: fine)");
const heads = new Map();
let card = null;
let showTimer = 0;
let hideTimer = 0;
let shownFor = null;

async function readHead(href) {
  const res = await fetch(href, { headers: { Accept: "text/html" } });
  if (!res.ok || !res.body) throw new Error(String(res.status));
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let html = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    html += decoder.decode(value, { stream: true });
    const end = html.indexOf("</head>");
    if (end >= 0 || html.length > 65536) {
      if (end >= 0) html = html.slice(0, end);
      reader.cancel().catch(() => {});
      break;
    }
  }
  const head = new DOMParser().parseFromString(`${html}</head><body></body>`, "text/html");
  const meta = (sel) => head.querySelector(sel)?.getAttribute("content") ?? "";
  return { title: meta('meta[property="og:title"]'), description: meta('meta[name="description"]'), date: meta('meta[property="article:published_time"]') };
}

function dateText(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[1]} 年 ${Number(m[2])} 月 ${Number(m[3])} 日` : "";
}

function previewable(a) {
  if (!a.closest("main") || a.closest(".toc, .preview-card") || a.hasAttribute("download")) return false;
  const url = new URL(a.href, window.location.href);
  if (url.origin !== window.location.origin || url.pathname === window.location.pathname) return false;
  return url.pathname.endsWith("/") && !/\/(search|api|media|assets|pagefind)\//.test(url.pathname);
}

function place(a) {
  const r = a.getBoundingClientRect();
  const w = card.offsetWidth, h = card.offsetHeight;
  const left = Math.max(8, Math.min(r.left, window.innerWidth - w - 8));
  const below = r.bottom + 8 + h < window.innerHeight;
  card.style.left = `${left}px`;
  card.style.top = `${below ? r.bottom + 8 : Math.max(8, r.top - h - 8)}px`;
}

async function show(a) {
  const href = new URL(a.href, window.location.href);
  href.hash = "";
  const key = href.href;
  if (!heads.has(key)) heads.set(key, readHead(key).catch(() => null));
  const data = await heads.get(key);
  if (!data || !data.title || shownFor !== a) return;
  if (!card) {
    card = document.createElement("div");
    card.className = "preview-card";
    card.setAttribute("role", "tooltip");
    card.id = "kb-preview";
    card.addEventListener("pointerenter", () => clearTimeout(hideTimer));
    card.addEventListener("pointerleave", hide);
    document.body.append(card);
  }
  card.textContent = "";
  const title = document.createElement("p");
  title.className = "preview-title";
  title.textContent = data.title;
  card.append(title);
  if (data.date) {
    const d = document.createElement("p");
    d.className = "preview-date";
    d.textContent = dateText(data.date);
    card.append(d);
  }
  if (data.description) {
    const p = document.createElement("p");
    p.className = "preview-text";
    p.textContent = data.description;
    card.append(p);
  }
  card.hidden = false;
  a.setAttribute("aria-describedby", card.id);
  place(a);
}

function hide() {
  clearTimeout(showTimer);
  hideTimer = setTimeout(() => {
    if (card) card.hidden = true;
    shownFor?.removeAttribute("aria-describedby");
    shownFor = null;
  }, 150);
}

document.addEventListener("pointerover", (e) => {
  if (e.pointerType !== "mouse" || !fine.matches) return;
  const a = e.target instanceof Element ? e.target.closest("a[href]") : null;
  if (!a || a === shownFor || !previewable(a)) return;
  clearTimeout(showTimer);
  clearTimeout(hideTimer);
  shownFor = a;
  showTimer = setTimeout(() => show(a), 300);
});
document.addEventListener("pointerout", (e) => {
  const a = e.target instanceof Element ? e.target.closest("a[href]") : null;
  if (a && a === shownFor && !(e.relatedTarget instanceof Node && a.contains(e.relatedTarget))) hide();
});
document.addEventListener("keydown", (e) => { if (e.key === "Escape" && card && !card.hidden) { card.hidden = true; shownFor = null; } });
window.addEventListener("scroll", () => { if (card && !card.hidden) { card.hidden = true; shownFor = null; } }, { passive: true });
