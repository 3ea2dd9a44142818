// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Province → commune picker: refill the commune list when the province changes.
  document.querySelectorAll(".unit-picker").forEach(function (picker) {
    var province = picker.querySelector("select[name$='province']");
    var commune = picker.querySelector("select[name$='commune']");
    if (!province || !commune) return;
    var emptyLabel = commune.options.length ? commune.options[0].textContent : "—";
    province.addEventListener("change", function () {
      commune.innerHTML = "";
      var blank = new Option(emptyLabel, "");
      commune.add(blank);
      if (!province.value) return;
      commune.disabled = true;
      var url = picker.dataset.communesUrl + "?province=" + encodeURIComponent(province.value);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (communes) {
          communes.forEach(function (c) { commune.add(new Option(c.name, c.id)); });
        })
        .catch(function () { /* the no-JS button still works */ })
        .finally(function () { commune.disabled = false; });
    });
  });

  // The header's menus are <details> and open without this file; here a tap elsewhere or Escape
  // closes them, and opening one group closes the other.
  var menus = document.querySelectorAll(".site-header details");
  function closeMenus(except) {
    menus.forEach(function (menu) {
      if (menu !== except && !menu.contains(except)) menu.removeAttribute("open");
    });
  }
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () { if (menu.open) closeMenus(menu); });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".site-header details")) closeMenus(null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });

  // Buttons that need a second thought carry data-confirm; no inline script is allowed.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // Nothing typed is lost (forms marked data-keep, see macros/forms.html keep()). As she types,
  // the form's fields are kept in this browser, with the version the page was opened at. When
  // the page comes back without them (a lost connection, an expired session and the login in
  // between, a language switch), they are put back and she is told. A draft is dropped when the
  // page that answers its form says it was saved (a success message), when the record has a
  // newer version than the one the sent form had, or after 30 days.
  var KEEP_MS = 30 * 24 * 3600 * 1000;
  var SKIPPED = ["hidden", "password", "file", "submit", "button", "reset"];
  var store, tab;
  try {
    store = window.localStorage; tab = window.sessionStorage; store.getItem("portal");
    // On a shared phone her drafts live in this tab only, and go when her session ends; so do
    // a visitor's (a registration typed on a borrowed phone).
    if (document.body.dataset.shared || !document.body.dataset.signedIn) store = tab;
    if (document.body.dataset.forgetTab) {
      Object.keys(tab).forEach(function (key) { if (key.indexOf("portal.") === 0) tab.removeItem(key); });
    }
  } catch (e) { store = null; }
  if (store) {
    // The page that answers a sent form: a success message means its draft is saved.
    var sent = tab.getItem("portal.sent");
    tab.removeItem("portal.sent");
    if (sent && document.querySelector(".flash-messages .alert-success")) store.removeItem(sent);
  }
  document.querySelectorAll("form[data-keep]").forEach(function (form) {
    if (!store) return;
    var key = "portal.draft." + form.dataset.keep;
    var version = form.elements.version ? form.elements.version.value : null;

    function fields() {
      return Array.prototype.filter.call(form.elements, function (el) {
        return el.name && SKIPPED.indexOf(el.type) < 0;
      });
    }
    function read() {
      var values = {};
      fields().forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") {
          values[el.name + "\u0000" + el.value] = el.checked;
        } else if (el.multiple) {
          values[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
            .map(function (o) { return o.value; });
        } else {
          values[el.name] = el.value;
        }
      });
      return values;
    }
    function write(values) {
      fields().forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") {
          var k = el.name + "\u0000" + el.value;
          if (k in values) el.checked = values[k];
        } else if (el.multiple) {
          if (el.name in values) Array.prototype.forEach.call(el.options, function (o) {
            o.selected = values[el.name].indexOf(o.value) >= 0;
          });
        } else if (el.name in values) {
          el.value = values[el.name];
        }
      });
    }
    var shown = read();
    var same = function (a, b) { return JSON.stringify(a) === JSON.stringify(b); };
    var draft = null;
    try { draft = JSON.parse(store.getItem(key) || "null"); } catch (e) { draft = null; }
    var outdated = draft && (Date.now() - draft.at > KEEP_MS ||
      (draft.sent && version !== null && draft.version !== version));
    if (outdated || (draft && !draft.sent && same(draft.values, shown))) {
      store.removeItem(key);
      draft = null;
    }
    if (draft && !same(draft.values, shown)) {
      write(draft.values);
      var notice = document.createElement("div");
      notice.className = "alert alert-info keep-notice";
      notice.setAttribute("role", "status");
      notice.textContent = form.dataset.keepRestored + " ";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "keep-discard";
      discard.textContent = form.dataset.keepDiscard;
      discard.addEventListener("click", function () {
        write(shown);
        store.removeItem(key);
        notice.remove();
      });
      notice.appendChild(discard);
      form.insertBefore(notice, form.firstChild);
    }
    function keep(sending) {
      var values = read();
      try {
        if (sending) tab.setItem("portal.sent", key);
        if (same(values, shown) && !sending && !(draft && draft.sent)) store.removeItem(key);
        else store.setItem(key, JSON.stringify({ at: Date.now(), version: version, sent: !!sending, values: values }));
      } catch (e) { /* storage full or refused: the server still has the last save */ }
    }
    form.addEventListener("input", function () { keep(false); });
    form.addEventListener("change", function () { keep(false); });
    form.addEventListener("submit", function (event) {
      if (navigator.onLine === false) {
        // Offline: nothing is lost and nothing is sent yet; it goes when the connection is
        // back, with the version the page was opened at (the server decides, a 409 if it
        // changed meanwhile).
        event.preventDefault();
        keep(false);
        waitForConnection(form, event.submitter);
        return;
      }
      keep(true);
    });
  });

  // The connection: a notice while it is gone; a form sent while offline goes when it is back.
  var body = document.body;
  var offlineNotice = null;
  // A live region that is on the page from the start is read out when its text changes; one
  // added with its text already in may not be.
  function announce(text) {
    var announcer = document.getElementById("announcer");
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 100);
  }
  function showOffline() {
    if (offlineNotice) return;
    offlineNotice = document.createElement("div");
    offlineNotice.className = "alert alert-warning offline-notice";
    offlineNotice.textContent = body.dataset.offline;
    announce(body.dataset.offline);
    var main = document.getElementById("content");
    if (main) main.insertBefore(offlineNotice, main.firstChild);
  }
  function hideOffline() {
    if (offlineNotice) offlineNotice.remove();
    offlineNotice = null;
  }
  function waitForConnection(form, submitter) {
    if (form.dataset.waiting) return;
    form.dataset.waiting = "1";
    var waiting = document.createElement("div");
    waiting.className = "alert alert-warning offline-waiting";
    waiting.textContent = body.dataset.offlineWaiting;
    announce(body.dataset.offlineWaiting);
    form.insertBefore(waiting, form.firstChild);
    window.addEventListener("online", function () {
      waiting.remove();
      delete form.dataset.waiting;
      if (form.requestSubmit) form.requestSubmit(submitter || undefined);
      else form.submit();
    }, { once: true });
  }
  // A shared phone's session ends after a while without use: the page goes with it, rather
  // than stay on the screen for the next person.
  if (body.dataset.idleSeconds) {
    // The half hour runs from what the server last heard of her: this page, or a word sent
    // while she types (a minute apart at most). Past it, the page goes.
    var idleMs = (parseInt(body.dataset.idleSeconds, 10) + 5) * 1000;
    var idleTimer = null, lastHeard = Date.now();
    var leave = function () { window.location.assign(window.location.pathname); };
    var restartIdle = function () {
      window.clearTimeout(idleTimer);
      idleTimer = window.setTimeout(leave, idleMs - (Date.now() - lastHeard));
    };
    restartIdle();
    document.addEventListener("input", function () {
      if (Date.now() - lastHeard < 60 * 1000) return;
      lastHeard = Date.now();
      restartIdle();
      fetch(body.dataset.stillHere, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { signed_in: true }; })
        .then(function (answer) { if (!answer.signed_in) leave(); })
        .catch(function () { /* offline: the server will hear of her when the page is sent */ });
    });
  }
  window.addEventListener("offline", showOffline);
  window.addEventListener("online", hideOffline);
  if (navigator.onLine === false) showOffline();

  // The service worker keeps the pages she opened for reading, and filling in, offline.
  if ("serviceWorker" in navigator && body.dataset.serviceWorker) {
    navigator.serviceWorker.register(body.dataset.serviceWorker).catch(function () {
      /* not allowed here (no HTTPS): the pages work as they always did */
    });
  }

  // A "Print" button (the term report): the print stylesheet keeps the report's own text.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // After a failed submit, move focus to the error summary so screen readers announce it.
  var summary = document.getElementById("form-errors");
  if (summary) summary.focus();
})();
