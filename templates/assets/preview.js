// Hover previews of linked notes and entity pages (desktop mice only, never touch),
// loaded by reader.js on the first mouse hover over a link. A page's own <head> is
// its preview record — title, date and the summary its description carries — so the
// preview reads the linked page only up to </head> and stops (a few KB from this
// site, cached), and nothing is built twice for it.
import { dateLabel } from "./dates.js";
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
    d.textContent = dateLabel(data.date.slice(0, 10));
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

function over(e) {
  if (e.pointerType !== "mouse" || !fine.matches) return;
  const a = e.target instanceof Element ? e.target.closest("a[href]") : null;
  if (!a || a === shownFor || !previewable(a)) return;
  clearTimeout(showTimer);
  clearTimeout(hideTimer);
  shownFor = a;
  showTimer = setTimeout(() => show(a), 300);
}

/** Called once by reader.js with the hover that loaded this module. */
export function start(first) {
  document.addEventListener("pointerover", over);
  over(first);
}
document.addEventListener("pointerout", (e) => {
  const a = e.target instanceof Element ? e.target.closest("a[href]") : null;
  if (a && a === shownFor && !(e.relatedTarget instanceof Node && a.contains(e.relatedTarget))) hide();
});
document.addEventListener("keydown", (e) => { if (e.key === "Escape" && card && !card.hidden) { card.hidden = true; shownFor = null; } });
window.addEventListener("scroll", () => { if (card && !card.hidden) { card.hidden = true; shownFor = null; } }, { passive: true });
