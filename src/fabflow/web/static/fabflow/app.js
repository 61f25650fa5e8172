/* Fabflow — small vanilla helpers. Everything uses event delegation on
 * document, so it keeps working for content swapped in by htmx.
 *
 *   Row selection   <input type="checkbox" data-select-all>            (in a table header; scope = closest table,
 *                                                                       or data-select-all="#selector")
 *                   <input type="checkbox" data-row-id="42">            (one per row)
 *                   <input type="hidden" name="ids" data-selected-ids="#orders-table">
 *                       value = comma-separated ids of the checked rows inside the selector (whole page if empty);
 *                       selection survives htmx swaps of the rows (e.g. paging).
 *   Copy            <button data-copy-target="#token">  (copies .value or text; or data-copy-text="…")
 *   Dialogs         <button data-dialog-open="dlg-id">, <button data-dialog-close>; backdrop click closes;
 *                   <dialog data-open-on-load> opens with the page (a form sent back with its errors)
 *   Confirm         <form data-confirm="Delete 3 orders?">, or <button data-confirm="…"> as the submitter
 *   Autosubmit      <input data-autosubmit>: submits its form on Enter or on blur when changed; Esc reverts
 *   Flash           <button class="close" data-dismiss> inside .message removes it
 *   Keep query      <form data-keep-query>: on submit its action takes the page's current query
 *                   string (filters and sort pushed by htmx), so e.g. an export is sorted like the page
 *   Next from URL   <form hx-post=… data-next-from-location>: its htmx requests send `next` = the
 *                   page's current path and query (which htmx may have pushed since the page loaded)
 *   Reject dialog   <button data-reject-url="…" data-task-title="…"> opens #reject-dialog with
 *                   #reject-form posting to that address (a new task empties the reason)
 *
 * No inline script, no eval: the pages' Content-Security-Policy allows scripts from files only.
 */
(function () {
  "use strict";

  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const ROW = 'input[type="checkbox"][data-row-id]';

  /* ---------- row selection ---------- */
  const selections = new WeakMap(); // hidden input -> Set of ids

  function scopeOf(el, attr) {
    const sel = el.getAttribute(attr);
    if (sel) return document.querySelector(sel) || document;
    return el.closest("table") || document;
  }

  function trackers() { return $$("input[data-selected-ids]"); }

  function trackerSet(hidden) {
    let set = selections.get(hidden);
    if (!set) {
      set = new Set((hidden.value || "").split(",").map((s) => s.trim()).filter(Boolean));
      selections.set(hidden, set);
    }
    return set;
  }

  function trackerScope(hidden) {
    const sel = hidden.getAttribute("data-selected-ids");
    return (sel && document.querySelector(sel)) || document;
  }

  function syncTrackers(changed) {
    for (const hidden of trackers()) {
      const scope = trackerScope(hidden);
      const set = trackerSet(hidden);
      for (const cb of changed) {
        if (scope !== document && !scope.contains(cb)) continue;
        if (cb.checked) set.add(cb.dataset.rowId); else set.delete(cb.dataset.rowId);
      }
      hidden.value = Array.from(set).join(",");
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
      const count = document.querySelector(`[data-selected-count="${hidden.id}"]`);
      if (count) count.textContent = String(set.size);
    }
  }

  function refreshSelectAll() {
    for (const all of $$("input[data-select-all]")) {
      const rows = $$(ROW, scopeOf(all, "data-select-all"));
      const checked = rows.filter((r) => r.checked).length;
      all.checked = rows.length > 0 && checked === rows.length;
      all.indeterminate = checked > 0 && checked < rows.length;
    }
  }

  /** Re-check rows whose ids are remembered (after an htmx swap / page load). */
  function restoreRows(root) {
    for (const hidden of trackers()) {
      const set = trackerSet(hidden);
      for (const cb of $$(ROW, root)) if (set.has(cb.dataset.rowId)) cb.checked = true;
    }
    refreshSelectAll();
  }

  document.addEventListener("change", (ev) => {
    const t = ev.target;
    if (t.matches("input[data-select-all]")) {
      const rows = $$(ROW, scopeOf(t, "data-select-all")).filter((r) => !r.disabled);
      rows.forEach((r) => { r.checked = t.checked; });
      syncTrackers(rows);
      refreshSelectAll();
    } else if (t.matches(ROW)) {
      syncTrackers([t]);
      refreshSelectAll();
    }
  });

  /* ---------- copy to clipboard ---------- */
  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return;
    }
    const ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    try { document.execCommand("copy"); } finally { ta.remove(); }
  }

  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest("[data-copy-target],[data-copy-text]");
    if (!btn) return;
    ev.preventDefault();
    let text = btn.getAttribute("data-copy-text");
    if (text == null) {
      const target = document.querySelector(btn.getAttribute("data-copy-target"));
      if (!target) return;
      text = /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) ? target.value : target.textContent.trim();
    }
    copyText(text).then(() => {
      btn.classList.add("copied");
      btn.setAttribute("aria-live", "polite");
      setTimeout(() => btn.classList.remove("copied"), 1500);
    }).catch(() => window.prompt("Copy:", text));
  });

  /* ---------- dialogs ---------- */
  document.addEventListener("click", (ev) => {
    const opener = ev.target.closest("[data-dialog-open]");
    if (opener) {
      const dlg = document.getElementById(opener.getAttribute("data-dialog-open"));
      if (dlg && typeof dlg.showModal === "function" && !dlg.open) {
        ev.preventDefault();
        dlg.showModal();
        const focus = dlg.querySelector("[autofocus]") || dlg.querySelector("input:not([type=hidden]), select, textarea");
        if (focus) focus.focus();
      }
      return;
    }
    const closer = ev.target.closest("[data-dialog-close]");
    if (closer) {
      const dlg = closer.closest("dialog");
      if (dlg) { ev.preventDefault(); dlg.close(closer.value || ""); }
      return;
    }
    // click on the backdrop (the dialog element itself, outside its box) closes it
    if (ev.target.tagName === "DIALOG" && ev.target.open) {
      const r = ev.target.getBoundingClientRect();
      const inside = ev.clientX >= r.left && ev.clientX <= r.right && ev.clientY >= r.top && ev.clientY <= r.bottom;
      if (!inside) ev.target.close();
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    for (const dlg of $$("dialog[data-open-on-load]")) if (!dlg.open) dlg.showModal();
  });

  /* ---------- flash messages ---------- */
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest(".message [data-dismiss]");
    if (btn) btn.closest(".message").remove();
  });

  /* ---------- confirm prompts ---------- */
  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    const submitter = ev.submitter;
    const msg = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true); // capture: runs before htmx's own submit handler

  /* ---------- inline editing that submits on blur / Enter ---------- */
  function autosubmit(input) {
    if (input.value === input.defaultValue) return;
    const form = input.form;
    if (!form) { input.dispatchEvent(new Event("change", { bubbles: true })); return; }
    input.defaultValue = input.value; // do not submit twice (Enter then blur)
    if (typeof form.requestSubmit === "function") form.requestSubmit(); else form.submit();
  }

  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    if (!t.matches || !t.matches("input[data-autosubmit]")) return;
    if (ev.key === "Enter") { ev.preventDefault(); autosubmit(t); }
    else if (ev.key === "Escape") { t.value = t.defaultValue; t.blur(); }
  });
  document.addEventListener("focusout", (ev) => {
    if (ev.target.matches && ev.target.matches("input[data-autosubmit]")) autosubmit(ev.target);
  });

  /* ---------- forms that act on the page as currently filtered ---------- */
  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!form.matches || !form.matches("form[data-keep-query]")) return;
    const action = new URL(form.getAttribute("action") || window.location.pathname, window.location.href);
    action.search = window.location.search;
    form.setAttribute("action", action.pathname + action.search);
  });

  /* ---------- htmx requests that say which page they come from ---------- */
  document.addEventListener("htmx:configRequest", (ev) => {
    const elt = ev.detail.elt;
    if (elt && elt.matches && elt.matches("[data-next-from-location]")) {
      ev.detail.parameters.next = window.location.pathname + window.location.search;
    }
  });

  /* ---------- the reject dialog of a task ---------- */
  document.addEventListener("click", (ev) => {
    const button = ev.target.closest("[data-reject-url]");
    const dialog = document.getElementById("reject-dialog");
    const form = document.getElementById("reject-form");
    if (!button || !dialog || !form) return;
    if (form.getAttribute("action") !== button.dataset.rejectUrl) {
      form.setAttribute("action", button.dataset.rejectUrl);
      form.reason.value = "";
      const error = document.getElementById("reject-error");
      if (error) error.remove();
    }
    document.getElementById("reject-task-name").textContent = button.dataset.taskTitle || "";
    dialog.showModal();
    form.reason.focus();
  });

  /* ---------- wiring ---------- */
  function init(root) {
    root = root || document;
    const checked = $$(ROW, root).filter((r) => r.checked); // e.g. restored by the browser on back
    if (checked.length) syncTrackers(checked);
    restoreRows(root);
  }
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:afterSettle", (ev) => init(ev.target));

  window.Fabflow = Object.assign(window.Fabflow || {}, { copyText, init, refreshSelectAll });
})();
