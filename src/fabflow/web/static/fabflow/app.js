/* Fabflow — small vanilla helpers. Everything uses event delegation on
 * document, so it keeps working for content swapped in by htmx.
 *
 *   Row selection   <input type="checkbox" data-select-all>            (in a table header; scope = closest table,
 *                                                                       or data-select-all="#selector")
 *                   <input type="checkbox" data-row-id="42">            (one per row)
 *                   <input type="hidden" name="ids" data-selected-ids="#orders-table">
 *                       value = comma-separated ids of the checked rows inside the selector (whole page if empty);
 *                       selection survives htmx swaps of the rows (e.g. paging), and a page sent back by a
 *                       refused export (a message with class "keeps-selection") gets back the ids its form sent.
 *                   <span data-export-limit-for="selected-ids">: says the form's button data-export-limit
 *                       before the click, and warns (class is-over) while the selection exceeds it.
 *   Copy            <button data-copy-target="#token">  (copies .value or text; or data-copy-text="…")
 *   Dialogs         <button data-dialog-open="dlg-id">, <button data-dialog-close>; backdrop click closes;
 *                   <dialog data-open-on-load> opens with the page (a form sent back with its errors)
 *   Scroll end      <div data-scroll-end>: a box that scrolls sideways opens at its right end (a chart's
 *                   latest days)
 *   Confirm         <form data-confirm="…">: asked in the confirmation dialog of dialog.js
 *   Autosubmit      <input data-autosubmit>: submits its form on Enter or on blur when changed; Esc reverts
 *   Flash           <button class="close" data-dismiss> inside .message removes it
 *   Keep query      <form data-keep-query>: on submit its action takes the page's current query
 *                   string (filters and sort pushed by htmx), so e.g. an export is sorted like the page
 *   Next from URL   <form hx-post=… data-next-from-location>: its htmx requests send `next` = the
 *                   page's current path and query (which htmx may have pushed since the page loaded)
 *   Reject dialog   <button data-reject-url="…" data-task-title="…"> opens #reject-dialog with
 *                   #reject-form posting to that address (a new task empties the reason)
 *   Menus           <details class="dropdown">, and <button data-popover-button aria-controls="id"
 *                   aria-expanded="false"> over the element it opens (class is-open): each closes on Escape,
 *                   on a click elsewhere and on its own button, and gives the focus back to its button.
 *   Column order    <div data-column-choice> rows of a menu's form, each with <button data-move-column="up|down">:
 *                   the button swaps its row with the next one that way and sends the form (as a change of
 *                   its checkboxes does: the checked columns in the rows' order); the focus stays on the
 *                   button, and the buttons at the ends are aria-disabled (they keep the focus).
 *   Disclosures     <button data-disclosure-button aria-controls="id" aria-expanded="false"> shows or hides
 *                   the element (class is-open) where CSS folds it, e.g. the filters on phones.
 *   Active filters  <span data-active-filters="form-id">: how many of the form's filters hold a value
 *                   (fields inside [data-not-a-filter] and hidden fields do not count).
 *   Invalid filters a field whose pattern does not match stops htmx's request: the browser says why.
 *   Live regions    <div hx-trigger="every Ns" hx-swap="outerHTML">: a refresh waits while a dialog is open
 *                   or a field of the region has the focus (a choice being made is not reset), and the
 *                   control that had the focus has it again in the new content (htmx restores only
 *                   elements with an id; the others are found by what they do and say).
 *   Table state     <div data-state-url="…">: the address of the table's whole state (its columns named);
 *                   a page loaded without them takes it in place (history.replaceState), so that Back
 *                   to this page shows its columns even after the user's stored choice changed.
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
      showSelectionSize(hidden);
    }
  }

  function showSelectionSize(hidden) {
    const size = trackerSet(hidden).size;
    const count = document.querySelector(`[data-selected-count="${hidden.id}"]`);
    if (count) count.textContent = String(size);
    const note = document.querySelector(`[data-export-limit-for="${hidden.id}"]`);
    const button = hidden.form && hidden.form.querySelector("[data-export-limit]");
    if (!note || !button) return;
    const limit = Number(button.getAttribute("data-export-limit"));
    const isOver = size > limit;
    note.classList.toggle("is-over", isOver);
    note.textContent = isOver
      ? `${size} rows selected: an export holds at most ${limit}. Unselect ${size - limit} to export.`
      : `At most ${limit} rows`;
  }

  /* A refused export sends the page back: it gets back the rows its form sent. */
  const SENT_SELECTION = "fabflow:sent-selection:";

  function rememberSentSelection(form) {
    const hidden = form.querySelector("input[data-selected-ids]");
    if (!hidden) return;
    try { sessionStorage.setItem(SENT_SELECTION + window.location.pathname, hidden.value); } catch (e) { /* storage off */ }
  }

  function restoreSentSelection() {
    let sent = null;
    try {
      sent = sessionStorage.getItem(SENT_SELECTION + window.location.pathname);
      sessionStorage.removeItem(SENT_SELECTION + window.location.pathname);
    } catch (e) { return; }
    if (!sent || !document.querySelector(".message.keeps-selection")) return;
    for (const hidden of trackers()) {
      hidden.value = sent;
      selections.delete(hidden);
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
    for (const box of $$("[data-scroll-end]")) box.scrollLeft = box.scrollWidth;
  });

  /* ---------- flash messages ---------- */
  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest(".message [data-dismiss]");
    if (btn) btn.closest(".message").remove();
  });

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
    rememberSentSelection(form);
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

  /* ---------- live regions: a refresh never takes the user's place ---------- */
  const LIVE = "[hx-trigger^='every']";
  const FIELD = "input, select, textarea";
  const CONTROL = "a[href], button, summary, [tabindex]";

  /** What a control does and says, to find it again in a region's new content. */
  function controlKey(control) {
    const form = control.closest("form");
    return [
      control.tagName,
      control.getAttribute("href"),
      control.dataset.rejectUrl,
      form && form.getAttribute("action"),
      control.textContent.trim(),
    ].join("\n");
  }

  document.addEventListener("htmx:beforeRequest", (ev) => {
    const region = ev.detail.elt;
    if (!region.matches || !region.matches(LIVE)) return;
    const focused = document.activeElement;
    const isChoosing = region.contains(focused) && focused.matches(FIELD);
    if (isChoosing || document.querySelector("dialog[open]")) ev.preventDefault();
  });

  let refocus = null; // {region: id, key} of the control that had the focus before a refresh
  document.addEventListener("htmx:beforeSwap", (ev) => {
    const region = ev.detail.target;
    const focused = document.activeElement;
    const isKept = region && region.id && region.matches(LIVE) && region.contains(focused);
    refocus = isKept && !focused.id && focused.matches(CONTROL) ? { region: region.id, key: controlKey(focused) } : null;
  });
  document.addEventListener("htmx:afterSwap", () => {
    if (!refocus) return;
    const region = document.getElementById(refocus.region);
    const key = refocus.key;
    refocus = null;
    const control = region && $$(CONTROL, region).find((candidate) => controlKey(candidate) === key);
    if (control) control.focus({ preventScroll: true });
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

  /* ---------- menus: close on Escape, a click elsewhere, their own button ---------- */
  function popoverButtons() {
    return $$("[data-popover-button][aria-expanded='true']");
  }

  function setPopover(button, isOpen) {
    const target = document.getElementById(button.getAttribute("aria-controls"));
    button.setAttribute("aria-expanded", String(isOpen));
    if (target) target.classList.toggle("is-open", isOpen);
  }

  /** Close every open menu but `keep`; the focus goes back to a menu's button when it was inside
   *  the menu or when nothing else is to take it. */
  function closeMenus(keep, focusBack) {
    for (const details of $$("details.dropdown[open]")) {
      if (details === keep) continue;
      const hadFocus = details.contains(document.activeElement);
      details.open = false;
      if (focusBack || hadFocus) details.querySelector("summary").focus();
    }
    for (const button of popoverButtons()) {
      if (button === keep) continue;
      const target = document.getElementById(button.getAttribute("aria-controls"));
      const hadFocus = target && target.contains(document.activeElement);
      setPopover(button, false);
      if (focusBack || hadFocus) button.focus();
    }
  }

  function menuOf(element) {
    const details = element.closest("details.dropdown");
    if (details) return details;
    const button = element.closest("[data-popover-button]");
    if (button) return button;
    for (const open of popoverButtons()) {
      const target = document.getElementById(open.getAttribute("aria-controls"));
      if (target && target.contains(element)) return open;
    }
    return null;
  }

  const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

  document.addEventListener("click", (ev) => {
    const menu = menuOf(ev.target);
    // A click that lands on something focusable keeps its focus; elsewhere it returns to the button.
    closeMenus(menu, !ev.target.closest(FOCUSABLE));
    const button = ev.target.closest("[data-popover-button]");
    if (button) setPopover(button, button.getAttribute("aria-expanded") !== "true");
  });

  document.addEventListener("toggle", (ev) => {
    if (ev.target.matches && ev.target.matches("details.dropdown") && ev.target.open) closeMenus(ev.target, false);
  }, true);

  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "Escape" || ev.defaultPrevented) return;
    if ($$("details.dropdown[open]").length === 0 && popoverButtons().length === 0) return;
    if (document.querySelector("dialog[open]")) return; // the dialog takes this Escape
    ev.preventDefault();
    closeMenus(null, true);
  });

  /* ---------- the Columns menu: a column moves up or down ---------- */
  const COLUMN_ROW = "[data-column-choice]";

  /** The first row's Move up and the last row's Move down cannot move: aria-disabled keeps them
   *  focusable, so that a button that just moved its row to an end keeps the focus. */
  function markColumnEnds(form) {
    const rows = $$(COLUMN_ROW, form);
    rows.forEach((row, index) => {
      for (const button of $$("[data-move-column]", row)) {
        const isEnd = button.dataset.moveColumn === "up" ? index === 0 : index === rows.length - 1;
        if (isEnd) button.setAttribute("aria-disabled", "true"); else button.removeAttribute("aria-disabled");
      }
    });
  }

  document.addEventListener("click", (ev) => {
    const button = ev.target.closest("[data-move-column]");
    if (!button || button.getAttribute("aria-disabled") === "true") return;
    const row = button.closest(COLUMN_ROW);
    const isUp = button.dataset.moveColumn === "up";
    const neighbour = isUp ? row.previousElementSibling : row.nextElementSibling;
    if (!neighbour || !neighbour.matches(COLUMN_ROW)) return;
    // The neighbour moves past the row: the row, and the button with the focus, stay in place.
    if (isUp) row.after(neighbour); else row.before(neighbour);
    const form = row.closest("form");
    markColumnEnds(form);
    button.focus();
    form.dispatchEvent(new Event("change", { bubbles: true }));
  });

  /* ---------- disclosures, e.g. the filters folded on phones ---------- */
  document.addEventListener("click", (ev) => {
    const button = ev.target.closest("[data-disclosure-button]");
    if (!button) return;
    const target = document.getElementById(button.getAttribute("aria-controls"));
    const isOpen = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(isOpen));
    if (target) target.classList.toggle("is-open", isOpen);
  });

  /* ---------- how many filters are active ---------- */
  function countActiveFilters() {
    for (const badge of $$("[data-active-filters]")) {
      const form = document.getElementById(badge.getAttribute("data-active-filters"));
      if (!form) continue;
      const active = new Set();
      for (const field of form.elements) {
        if (!field.name || field.type === "hidden" || field.closest("[data-not-a-filter]")) continue;
        const isSet = field.type === "checkbox" || field.type === "radio" ? field.checked : field.value.trim() !== "";
        if (isSet) active.add(field.name);
      }
      badge.textContent = active.size ? String(active.size) : "";
    }
  }
  document.addEventListener("change", countActiveFilters);
  document.addEventListener("input", countActiveFilters);

  /* ---------- a filter written wrongly: say why instead of sending nothing ---------- */
  document.addEventListener("htmx:validation:halted", (ev) => {
    const invalid = ev.detail.elt && ev.detail.elt.querySelector && ev.detail.elt.querySelector(":invalid");
    if (invalid) invalid.reportValidity();
  });

  /* ---------- wiring ---------- */
  function init(root) {
    root = root || document;
    const checked = $$(ROW, root).filter((r) => r.checked); // e.g. restored by the browser on back
    if (checked.length) syncTrackers(checked);
    restoreRows(root);
    for (const hidden of trackers()) showSelectionSize(hidden);
  }
  /* ---------- the address of the table's state ---------- */
  function nameTableState() {
    const region = document.querySelector("[data-state-url]");
    if (!region) return;
    const here = window.location.pathname + window.location.search;
    if (region.dataset.stateUrl !== here) {
      window.history.replaceState(window.history.state, "", region.dataset.stateUrl + window.location.hash);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    nameTableState();
    restoreSentSelection();
    countActiveFilters();
    init(document);
  });
  document.addEventListener("htmx:afterSettle", (ev) => init(ev.target));

  window.Fabflow = Object.assign(window.Fabflow || {}, { copyText, init, refreshSelectAll });
})();
